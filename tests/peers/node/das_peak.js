// The das-Peak signalling played by the Node.js socket.io server (the reference Socket.IO
// implementation), as a peer no one on this project wrote the protocol code of: on
// `initialize` in /socket.io/register it emits one `info-vad-status`, then `result-success`
// as JSON text plus a Buffer (the collected audio: 8000 bytes, byte i = i % 256) and a
// credential naming the request's call_id. No `info-consumer-ready`: nothing streams audio.
// POST /oauth2/token hands out a token. Prints its port.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

// socket.io answers its own path; everything else is this OAuth2 token endpoint stand-in.
const server = http.createServer((request, response) => {
  if (request.method === "POST" && request.url === "/oauth2/token") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ access_token: "node", token_type: "Bearer", expires_in: 3600 }));
  } else {
    response.writeHead(404);
    response.end();
  }
});
const io = new Server(server, { transports: ["websocket"] });
const register = io.of("/socket.io/register");

register.use((socket, next) => {
  const authorization = socket.handshake.headers.authorization || "";
  next(authorization.startsWith("Bearer ") ? undefined : new Error("unknown access token"));
});

register.on("connection", (socket) => {
  socket.on("initialize", (request) => {
    const callId = (request && request.metadata && request.metadata.call_id) || "";
    const audio = Buffer.from(Array.from({ length: 8000 }, (_, i) => i % 256));
    socket.emit("info-vad-status", JSON.stringify({
      event: "info-vad-status", content: "Voice activity detection percentage",
      audio_seconds: 1.0, vad_percentage: 100,
    }));
    socket.emit("result-success", JSON.stringify({
      event: "result-success", authenticity: 0.99, voice_audio_collected: 5.13,
      content: "Registration: approved", credential: `node-credential-${callId}`,
    }), audio);
  });
});

server.listen(0, "127.0.0.1", () => console.log(server.address().port));
