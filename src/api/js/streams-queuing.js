// WHATWG Streams' queuing strategies: ByteLengthQueuingStrategy and CountQueuingStrategy.
// Streams read strategy dictionaries themselves (readStrategy in streams.js), so these classes are
// only the public conveniences.

const { finishClass } = internal;


const countSize = () => 1;
Object.defineProperty(countSize, 'name', { value: 'size' });
const byteLengthSize = (chunk) => chunk.byteLength;
Object.defineProperty(byteLengthSize, 'name', { value: 'size' });

function strategyHwm(init, name) {
  if (typeof init !== 'object' || init === null) {
    throw new TypeError(`${name} requires an object with a highWaterMark.`);
  }
  const hwm = init.highWaterMark;
  if (hwm === undefined) throw new TypeError(`${name} requires a highWaterMark.`);
  return Number(hwm);
}

class ByteLengthQueuingStrategy {
  #hwm;
  constructor(init) {
    this.#hwm = strategyHwm(init, 'ByteLengthQueuingStrategy');
  }
  get highWaterMark() {
    return this.#hwm;
  }
  get size() {
    this.#hwm; // brand check
    return byteLengthSize;
  }
}

class CountQueuingStrategy {
  #hwm;
  constructor(init) {
    this.#hwm = strategyHwm(init, 'CountQueuingStrategy');
  }
  get highWaterMark() {
    return this.#hwm;
  }
  get size() {
    this.#hwm; // brand check
    return countSize;
  }
}

finishClass(ByteLengthQueuingStrategy);
finishClass(CountQueuingStrategy);
internal.defineGlobal('ByteLengthQueuingStrategy', ByteLengthQueuingStrategy);
internal.defineGlobal('CountQueuingStrategy', CountQueuingStrategy);
