from .._errors import WebhookParseError as WebhookParseError
from ._model import Alternative as Alternative, DtmfTone as DtmfTone, Job as Job, JobResult as JobResult, Media as Media, MediaInput as MediaInput, MediaOutput as MediaOutput, OutputChannel as OutputChannel, Record as Record, Segment as Segment, Word as Word
from .jobs import AsyncClient as AsyncClient, Client as Client, JobPage as JobPage, JobWebhooks as JobWebhooks
from .receiver import AsyncWebhookReceiver as AsyncWebhookReceiver, Delivery as Delivery, TrdClient as TrdClient, WebhookReceiver as WebhookReceiver

__all__ = ['parse_webhook', 'verify_token', 'verify_job_id', 'WebhookParseError', 'Record', 'JobResult', 'Job', 'Media', 'MediaInput', 'MediaOutput', 'OutputChannel', 'DtmfTone', 'Segment', 'Alternative', 'Word', 'WebhookReceiver', 'AsyncWebhookReceiver', 'Delivery', 'TrdClient', 'Client', 'AsyncClient', 'JobWebhooks', 'JobPage']

def parse_webhook(body: bytes | bytearray | memoryview | str) -> JobResult: ...
def verify_token(result: JobResult, expected: str) -> None: ...
def verify_job_id(result: JobResult, path_job_id: str) -> None: ...
