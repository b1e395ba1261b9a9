// emulator_process.hpp: the `das emulator` child process of bindings/c/tests/emulator_process.h
// as an RAII object, for the C++ tests and example: started by the constructor (std::runtime_error
// when it cannot be), stopped and reaped by the destructor. Include it before any other header.
#ifndef DAS_EMULATOR_PROCESS_HPP
#define DAS_EMULATOR_PROCESS_HPP

#include "emulator_process.h"

#include <stdexcept>
#include <string>

class EmulatorProcess {
public:
    EmulatorProcess() {
        if (emulator_process_start(&process_) != 0) throw std::runtime_error("cannot start das emulator");
    }
    ~EmulatorProcess() { emulator_process_stop(&process_); }
    EmulatorProcess(const EmulatorProcess &) = delete;
    EmulatorProcess &operator=(const EmulatorProcess &) = delete;

    /// One field of the emulator's description (URLs, demo credentials).
    std::string get(const char *field) const {
        const char *value = emulator_process_get(&process_, field);
        if (value == nullptr) throw std::runtime_error(std::string("no emulator field ") + field);
        return value;
    }

private:
    emulator_process process_;
};

#endif
