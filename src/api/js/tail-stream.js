// Streaming tails (`streamingTails` in a worker's config or in WorkerCode): the tail worker's
// `tailStream(onset, env, ctx)` gets the event's onset and returns a handler (a function, or an
// object with a method per event type) for each later event: log, exception, return, outcome.
// kiln sends the same trace its `tails` get, once the event ends; this file turns that
// TraceItem into the stream events workerd delivers, and hands them over in order.
// Evaluated after workers.js.

function randomHex(bytes) {
  const array = new Uint8Array(bytes);
  natives.getRandomValues(array);
  let out = '';
  for (const b of array) out += b.toString(16).padStart(2, '0');
  return out;
}

function onsetInfo(event) {
  const request = event && event.request;
  if (request) {
    const headers = Object.entries(request.headers).map(([name, value]) => ({ name, value }));
    return { type: 'fetch', method: request.method, url: request.url, headers };
  }
  if (event && typeof event.rpcMethod === 'string') return { type: 'jsrpc' };
  return { type: 'custom' };
}

// The events of one TraceItem, in the order they happened.
function streamEvents(item, threw) {
  const traceId = randomHex(16);
  const invocationId = randomHex(16);
  const spanId = randomHex(8);
  const info = onsetInfo(item.event);
  const isRpc = info.type === 'jsrpc';
  const out = [];
  const push = (timestamp, event) => {
    out.push({
      spanContext: out.length === 0 ? { traceId } : { traceId, spanId },
      invocationId,
      timestamp: new Date(timestamp),
      sequence: out.length,
      event,
    });
  };
  const onset = { type: 'onset', executionModel: item.executionModel, spanId };
  if (item.entrypoint !== undefined) onset.entrypoint = item.entrypoint;
  onset.scriptTags = [];
  onset.info = info;
  push(item.eventTimestamp, onset);
  // Logs and uncaught exceptions by time (logs first at the same instant: an uncaught exception
  // ends what logged). An RPC method's throw is its caller's to handle: no exception event, as
  // workerd streams it.
  const middle = item.logs.map((log) => {
    const event = { type: 'log', level: log.level, message: log.message };
    if (log.errorInfo !== undefined) event.errorInfo = log.errorInfo;
    return [log.timestamp, 0, event];
  });
  if (!isRpc) {
    for (const e of item.exceptions) {
      middle.push([e.timestamp, 1,
        { type: 'exception', name: e.name, message: e.message, stack: e.stack }]);
    }
  }
  middle.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [timestamp, , event] of middle) push(timestamp, event);
  const end = item.eventTimestamp + item.wallTime;
  if (item.outcome === 'ok' && !threw) {
    const response = item.event && item.event.response;
    push(end, info.type === 'fetch'
      ? { type: 'return', info: { type: 'fetch', statusCode: response ? response.status : 0 } }
      : { type: 'return' });
  }
  push(end, { type: 'outcome', outcome: item.outcome, cpuTime: item.cpuTime,
    wallTime: item.wallTime });
  return out;
}

// One event's stream, delivered to `tailStream` of the tail worker's export: each handler call
// awaited before the next, so the handler sees the events one at a time, in order.
internal.deliverTailStream = async (exported, item, threw, env, ctx) => {
  const events = streamEvents(item, threw === true);
  const target = internal.isEntrypointClass(exported) ? new exported(ctx, env) : exported;
  const handler = internal.isEntrypointClass(exported)
    ? await target.tailStream(events[0])
    : await target.tailStream(events[0], env, ctx);
  for (const event of events.slice(1)) {
    if (typeof handler === 'function') {
      await handler(event);
    } else if (handler !== null && typeof handler === 'object') {
      const method = handler[event.event.type];
      if (typeof method === 'function') await method.call(handler, event);
    } else {
      return;
    }
  }
};
