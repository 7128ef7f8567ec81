// Durable Objects in JavaScript: namespaces and ids, the state object a class is constructed
// with, and the storage API (SQL, synchronous KV, the async KV API, transactions). The C++ half
// is src/storage/; native handles are made there per namespace and per object.

const kHandle = Symbol("handle");
// Taken before any worker code runs, which may replace the globals.
const { setTimeout: setTimer, clearTimeout: clearTimer, Promise: OwnPromise } = globalThis;
const PromiseRace = OwnPromise.race.bind(OwnPromise);

// As on Workers: a blockConcurrencyWhile() callback that has not settled after 30 s resets the
// object (its storage refuses this instance from then on; the next event starts a new one).
const BLOCK_TIMEOUT_MS = 30000;
const BLOCK_TIMEOUT_MESSAGE = "A call to blockConcurrencyWhile() in a Durable Object waited for " +
  "too long. The call was canceled and the Durable Object was reset.";

class DurableObjectId {
  #hex;
  #name;
  constructor(key, hex, name) {
    if (key !== kHandle) throw new TypeError("Illegal constructor.");
    this.#hex = hex;
    this.#name = name;
  }
  toString() {
    return this.#hex;
  }
  equals(other) {
    return other instanceof DurableObjectId && other.toString() === this.#hex;
  }
  get name() {
    return this.#name;
  }
}

class DurableObjectNamespace {
  #handle;
  constructor(key, handle) {
    if (key !== kHandle) throw new TypeError("Illegal constructor.");
    this.#handle = handle;
  }
  idFromName(name) {
    name = String(name);
    return new DurableObjectId(kHandle, this.#handle.idFromName(name), name);
  }
  newUniqueId(options = undefined) {
    return new DurableObjectId(kHandle, this.#handle.newUniqueId(), undefined);
  }
  idFromString(hex) {
    hex = String(hex).toLowerCase();
    if (!this.#handle.isValidId(hex)) {
      throw new TypeError("Invalid Durable Object ID: not an ID of this namespace.");
    }
    return new DurableObjectId(kHandle, hex, undefined);
  }
  get(id, options = undefined) {
    if (!(id instanceof DurableObjectId)) {
      throw new TypeError("get() takes a DurableObjectId (from idFromName, newUniqueId or idFromString).");
    }
    const stub = this.#handle.get(id.toString(), id.name);
    // Not secrets: the stub's id, and the name it was got by (undefined for other ids).
    Object.defineProperty(stub, "id", { value: id });
    Object.defineProperty(stub, "name", { value: id.name });
    return stub;
  }
  getByName(name, options = undefined) {
    return this.get(this.idFromName(name), options);
  }
  jurisdiction() {
    return this;
  }
  // For facets: a class of this worker that also has a namespace (ctx.exports.X is then the
  // namespace) runs as a facet by its class name.
  static localClassOf(value) {
    return value instanceof DurableObjectNamespace ? value.#handle.className() : undefined;
  }
}

class SqlStorageCursor {
  #columns;
  #rows;
  #index = 0;
  #rowsRead;
  #rowsWritten;
  constructor(key, result) {
    if (key !== kHandle) throw new TypeError("Illegal constructor.");
    this.#columns = result.columns;
    this.#rows = result.rows;
    this.#rowsRead = result.rowsRead;
    this.#rowsWritten = result.rowsWritten;
  }
  #object(row) {
    const object = {};
    for (let i = 0; i < this.#columns.length; i++) object[this.#columns[i]] = row[i];
    return object;
  }
  next() {
    if (this.#index >= this.#rows.length) return { done: true, value: undefined };
    return { done: false, value: this.#object(this.#rows[this.#index++]) };
  }
  toArray() {
    const out = [];
    while (this.#index < this.#rows.length) out.push(this.#object(this.#rows[this.#index++]));
    return out;
  }
  one() {
    const remaining = this.#rows.length - this.#index;
    if (remaining !== 1) {
      throw new Error(remaining === 0
        ? "Expected exactly one result from SQL query, but got no results."
        : "Expected exactly one result from SQL query, but got multiple results.");
    }
    return this.#object(this.#rows[this.#index++]);
  }
  raw() {
    const rows = this.#rows;
    const self = this;
    return {
      next() {
        if (self.#index >= rows.length) return { done: true, value: undefined };
        return { done: false, value: rows[self.#index++] };
      },
      toArray() {
        const out = rows.slice(self.#index);
        self.#index = rows.length;
        return out;
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  }
  get columnNames() {
    return [...this.#columns];
  }
  get rowsRead() {
    return this.#rowsRead;
  }
  get rowsWritten() {
    return this.#rowsWritten;
  }
  [Symbol.iterator]() {
    return this;
  }
}

// Which async transaction the running code belongs to: the async context frame (a Map, replaced,
// never changed in place) carries it across awaits, so a transaction() called from inside
// another one's callback nests in it instead of waiting for it to end.
const kTxnFrameKey = Symbol("transaction");

function runInFrame(key, value, fn) {
  const previous = natives.asyncContext();
  const frame = new Map(previous instanceof Map ? previous : undefined);
  frame.set(key, value);
  natives.asyncContext(frame);
  try {
    return fn();
  } finally {
    natives.asyncContext(previous);
  }
}

function currentFrameValue(key) {
  const frame = natives.asyncContext();
  return frame instanceof Map ? frame.get(key) : undefined;
}

// The `txn` an async transaction's callback gets. Its operations are the storage's, checked to be
// made while the transaction is open.
class DurableObjectTransaction {
  #storage;
  #state;
  constructor(key, storage, state) {
    if (key !== kHandle) throw new TypeError("Illegal constructor.");
    this.#storage = storage;
    this.#state = state;
  }
  #check(method) {
    if (this.#state.rolledBack) throw new Error(`Cannot ${method}() on rolled back transaction`);
    if (this.#state.ended) {
      throw new Error(`Cannot call ${method}() on transaction that has already committed: ` +
        "did you move `txn` outside of the closure?");
    }
    return this.#storage;
  }
  get(keys) { return this.#check("get").get(keys); }
  list(options) { return this.#check("list").list(options); }
  put(keyOrEntries, value) { return this.#check("put").put(keyOrEntries, value); }
  delete(keys) { return this.#check("delete").delete(keys); }
  deleteAll() { return this.#check("deleteAll").deleteAll(); }
  getAlarm() { return this.#check("getAlarm").getAlarm(); }
  setAlarm(time) { return this.#check("setAlarm").setAlarm(time); }
  deleteAlarm() { return this.#check("deleteAlarm").deleteAlarm(); }
  rollback() {
    if (this.#state.rolledBack) return;
    this.#check("rollback");
    this.#state.rolledBack = true;
    this.#state.undo();
  }
}

function makeStorage(handle) {
  // Savepoint names: unique among open ones, whatever order async transactions end in.
  let savepoints = 0;
  // Async transactions of this object run one after another, as in workerd (nested ones run
  // inside their parent); this is the end of the last one started.
  let transactionTail = Promise.resolve();
  const sql = {
    exec(query, ...bindings) {
      if (typeof query !== "string") throw new TypeError("sql.exec(query, ...bindings): query must be a string.");
      return new SqlStorageCursor(kHandle, handle.exec(query, bindings));
    },
    get databaseSize() {
      return handle.size();
    },
  };
  const kv = {
    get(key) {
      return handle.kvGet(String(key));
    },
    put(key, value) {
      handle.kvPut(String(key), value);
    },
    delete(key) {
      return handle.kvDelete(String(key));
    },
    list(options = {}) {
      const { prefix, start, startAfter, end, limit, reverse } = options ?? {};
      if (start !== undefined && startAfter !== undefined) {
        throw new TypeError("list() cannot be called with both start and startAfter values.");
      }
      if (limit !== undefined && !(Number(limit) > 0)) {
        throw new TypeError("List limit must be positive.");
      }
      return new Map(handle.kvList(prefix, start, end, limit, !!reverse, startAfter));
    },
  };
  function transactionSync(fn) {
    if (typeof fn !== "function") throw new TypeError("transactionSync(callback): callback must be a function.");
    const id = ++savepoints;
    handle.txBegin(id);
    let result;
    try {
      result = fn();
    } catch (e) {
      handle.txRollback(id);
      throw e;
    }
    handle.txCommit(id);
    return result;
  }
  // An async transaction: a savepoint held across the callback's awaits, with the input gate
  // closed so that other events wait until it ends (writes of events already running join it).
  async function transaction(storage, fn) {
    if (typeof fn !== "function") throw new TypeError("transaction(callback): callback must be a function.");
    const parent = currentFrameValue(kTxnFrameKey);
    const nested = parent !== undefined && parent.handle === handle && !parent.ended;
    let release = () => {};
    if (!nested) {
      const previous = transactionTail;
      transactionTail = new Promise((resolve) => (release = resolve));
      await previous;
    }
    const id = ++savepoints;
    const state = {
      handle, ended: false, rolledBack: false,
      undo() { handle.txRollback(id); },
    };
    if (!nested) handle.gateClose();
    try {
      handle.txBegin(id);
      const txn = new DurableObjectTransaction(kHandle, storage, state);
      let result;
      try {
        result = await runInFrame(kTxnFrameKey, state, () => fn(txn));
      } catch (e) {
        if (!state.rolledBack) handle.txRollback(id);
        throw e;
      }
      if (!state.rolledBack) handle.txCommit(id);
      return result;
    } finally {
      state.ended = true;
      if (!nested) {
        handle.gateOpen();
        release();
      }
    }
  }
  const many = (keys, one) => {
    if (Array.isArray(keys)) {
      const out = new Map();
      for (const key of keys) {
        const value = one(key);
        if (value !== undefined) out.set(key, value);
      }
      return out;
    }
    return one(keys);
  };
  const storage = {
    sql,
    kv,
    transactionSync,
    transaction(fn) {
      const done = transaction(storage, fn);
      // The event that started it may end first: keep its timers and I/O alive until it ends, so
      // that the gate it closed reopens.
      natives.waitUntil(done.catch(() => {}));
      return done;
    },
    async get(keys) {
      return many(keys, (key) => kv.get(key));
    },
    async put(keyOrEntries, value) {
      if (typeof keyOrEntries === "object" && keyOrEntries !== null) {
        transactionSync(() => {
          for (const [key, v] of Object.entries(keyOrEntries)) kv.put(key, v);
        });
      } else {
        kv.put(keyOrEntries, value);
      }
    },
    async delete(keys) {
      if (Array.isArray(keys)) {
        let count = 0;
        transactionSync(() => {
          for (const key of keys) if (kv.delete(key)) count++;
        });
        return count;
      }
      return kv.delete(keys);
    },
    async list(options) {
      return kv.list(options);
    },
    // Everything the object stored: key-value entries and SQL tables (the alarm stays).
    async deleteAll() {
      transactionSync(() => {
        for (const key of kv.list().keys()) kv.delete(key);
        const tables = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND " +
          "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").toArray();
        // IF EXISTS: dropping a virtual table (FTS5) also drops its shadow tables.
        for (const { name } of tables) {
          sql.exec(`DROP TABLE IF EXISTS "${name.replaceAll('"', '""')}"`);
        }
      });
      // From compatibility date 2026-02-24 (delete_all_deletes_alarm) the alarm goes too.
      if (`${internal.compatibilityDate}` >= "2026-02-24") handle.deleteAlarm();
    },
    async sync() {},
    async getAlarm() {
      return handle.getAlarm();
    },
    async setAlarm(time) {
      handle.setAlarm(time instanceof Date ? time.getTime() : Number(time));
    },
    async deleteAlarm() {
      handle.deleteAlarm();
    },
  };
  return storage;
}

internal.makeDurableObjectNamespace = (handle) => new DurableObjectNamespace(kHandle, handle);

// ctx.facets: child objects running classes from dynamic workers, each with its own database.
function makeFacets(handle) {
  return {
    get(name, getStartupOptions) {
      if (typeof name !== "string") throw new TypeError("facets.get(name, callback): name must be a string.");
      if (typeof getStartupOptions !== "function") {
        throw new TypeError("facets.get(name, callback): callback must be a function returning {class}.");
      }
      return handle.facetGet(name, async () => {
        const options = await getStartupOptions();
        const localClass = DurableObjectNamespace.localClassOf(options?.class);
        return localClass === undefined ? options : { ...options, class: undefined, localClass };
      });
    },
    abort(name, reason) {
      if (reason === undefined) {
        // workerd's words: the reason is required.
        throw new TypeError("Failed to execute 'abort' on 'DurableObjectFacets': parameter 2 is not of type 'Value'.");
      }
      handle.facetAbort(String(name), reason);
    },
    delete(name) {
      handle.facetDelete(String(name));
    },
  };
}

internal.newDurableObjectState = (idHex, storageHandle, exports, name, props) => {
  // ctx.id.name: the name the object was first addressed by in this process, if it was.
  const id = new DurableObjectId(kHandle, idHex, name);
  const storage = makeStorage(storageHandle);
  return {
    id,
    // A facet started from ctx.exports.X({props}) has those props; other objects have none.
    props: props ?? {},
    storage,
    facets: makeFacets(storageHandle),
    exports,
    waitUntil(promise) {
      natives.waitUntil(Promise.resolve(promise));
    },
    // Holds other events to this object until fn() settles (the input gate).
    blockConcurrencyWhile(fn) {
      storageHandle.gateClose();
      let timer;
      let expired = false;
      const deadline = new OwnPromise((resolve, reject) => {
        timer = setTimer(() => {
          expired = true;
          reject(new Error(BLOCK_TIMEOUT_MESSAGE));
        }, BLOCK_TIMEOUT_MS);
      });
      const done = (async () => {
        try {
          return await PromiseRace([fn(), deadline]);
        } finally {
          clearTimer(timer);
          if (expired) storageHandle.reset(BLOCK_TIMEOUT_MESSAGE);
          else storageHandle.gateOpen();
        }
      })();
      // The event that started it (often the constructor's) may end first: keep its timers and
      // I/O alive until the gate reopens.
      natives.waitUntil(done.catch(() => {}));
      return done;
    },
  };
};
