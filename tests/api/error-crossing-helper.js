// What error-crossing-test.js calls over RPC: methods that throw (or return) errors of each kind.
import { WorkerEntrypoint } from 'cloudflare:workers';

class MyErr extends Error {
  constructor(m) {
    super(m);
    this.name = 'MyErr';
  }
}

export class Thrower extends WorkerEntrypoint {
  boom() {
    throw Object.assign(new Error('rpc boom'), { code: 5, extra: { a: 1 }, cause: 'c' });
  }
  boomRange() {
    throw new RangeError('range', { cause: new Error('inner') });
  }
  boomCustom() {
    throw new MyErr('custom');
  }
  boomNoMsg() {
    throw new Error();
  }
  boomString() {
    throw 'a string';
  }
  boomObj() {
    throw { a: 1 };
  }
  boomDom() {
    throw new DOMException('dom boom', 'AbortError');
  }
  retErr() {
    return Object.assign(new Error('returned'), { code: 5 });
  }
}

export default {
  fetch() {
    return new Response('error-crossing-helper');
  },
};
