// Tests for http.js and body.js: Headers, Blob, File, FormData, Request, Response and the parts of
// fetch() that need no network.

import {
  assert, assertEqual, assertDeepEqual, assertThrows, assertRejects,
} from 'assert.js';

const kUsed = 'Body has already been used. It can only be used once. Use tee() first if you ' +
  'need to read it twice.';

function streamOf(...chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

export const headersAreCaseInsensitiveAndCombine = {
  test() {
    const headers = new Headers({ 'Content-Type': 'text/plain' });
    headers.append('X-Multi', 'a');
    headers.append('x-multi', 'b');
    assertEqual(headers.get('content-type'), 'text/plain');
    assertEqual(headers.get('X-MULTI'), 'a, b');
    assertEqual(headers.has('X-Multi'), true);
    headers.set('x-multi', 'c');
    assertEqual(headers.get('x-multi'), 'c');
    headers.delete('X-MULTI');
    assertEqual(headers.get('x-multi'), null);
    assertEqual(headers.has('x-multi'), false);
  },
};

export const headersIterateSortedAndLowercased = {
  test() {
    const headers = new Headers([['Zeta', '1'], ['alpha', '2'], ['Set-Cookie', 'a=1'],
      ['Beta', '3'], ['set-cookie', 'b=2']]);
    assertDeepEqual([...headers], [['alpha', '2'], ['beta', '3'], ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'], ['zeta', '1']]);
    assertDeepEqual([...headers.keys()], ['alpha', 'beta', 'set-cookie', 'set-cookie', 'zeta']);
    assertDeepEqual(headers.getSetCookie(), ['a=1', 'b=2']);
    assertEqual(headers.get('set-cookie'), 'a=1, b=2');
    const seen = [];
    headers.forEach((value, name, object) => {
      assertEqual(object, headers);
      seen.push(`${name}=${value}`);
    });
    assertEqual(seen.join(';'), 'alpha=2;beta=3;set-cookie=a=1;set-cookie=b=2;zeta=1');
    assertEqual(Object.prototype.toString.call(headers.entries()), '[object Headers Iterator]');
  },
};

export const headersIteratorSeesChanges = {
  test() {
    const headers = new Headers({ a: '1', b: '2', c: '3' });
    const names = [];
    for (const [name] of headers) {
      names.push(name);
      if (name === 'a') headers.append('bb', '4');
    }
    assertDeepEqual(names, ['a', 'b', 'bb', 'c']);
  },
};

export const headersValidateAndTrim = {
  test() {
    const headers = new Headers();
    headers.set('x-padded', ' \t value \n');
    assertEqual(headers.get('x-padded'), 'value');
    assertThrows(() => headers.set('bad name', 'x'), TypeError);
    assertThrows(() => headers.set('', 'x'), TypeError);
    assertThrows(() => headers.set('x', 'a\nb'), TypeError);
    assertThrows(() => headers.set('x', 'a\0b'), TypeError);
    assertThrows(() => headers.set('x', '\u0100'), TypeError);
    assertThrows(() => headers.get('bad name'), TypeError);
    assertThrows(() => new Headers([['only-name']]), TypeError);
    assertThrows(() => new Headers([['a', 'b', 'c']]), TypeError);
    assertThrows(() => new Headers('nope'), TypeError);
    assertThrows(() => headers.append('x'), TypeError);
  },
};

export const headersCopyIsIndependent = {
  test() {
    const original = new Headers({ a: '1' });
    const copy = new Headers(original);
    copy.set('a', '2');
    assertEqual(original.get('a'), '1');
    assertEqual(copy.get('a'), '2');
  },
};

export const blobBasics = {
  async test() {
    const blob = new Blob(['héllo ', new Uint8Array([0x77, 0x6f]), new Blob(['rld'])],
      { type: 'Text/Plain' });
    assertEqual(blob.size, 12);
    assertEqual(blob.type, 'text/plain');
    assertEqual(await blob.text(), 'héllo world');
    const slice = blob.slice(-5, -2, 'x/y');
    assertEqual(slice.type, 'x/y');
    assertEqual(await slice.text(), 'wor');
    assertEqual((await blob.arrayBuffer()).byteLength, 12);
    const first = await blob.bytes();
    first[0] = 0;
    assertEqual((await blob.bytes())[0], 0x68, 'bytes() returns a copy');
    let streamed = '';
    for await (const chunk of blob.stream()) streamed += new TextDecoder().decode(chunk);
    assertEqual(streamed, 'héllo world');
    assertEqual(new Blob([], { type: 'bad\u0001' }).type, '');
    assertThrows(() => new Blob('not a sequence'), TypeError);
  },
};

export const fileHasNameAndLastModified = {
  test() {
    const file = new File(['abc'], 'a.txt', { type: 'text/plain', lastModified: 42 });
    assertEqual(file.name, 'a.txt');
    assertEqual(file.lastModified, 42);
    assertEqual(file.size, 3);
    assert(file instanceof Blob, 'a File is a Blob');
    assertThrows(() => new File(['abc']), TypeError);
  },
};

export const formDataMethods = {
  test() {
    const form = new FormData();
    form.append('a', '1');
    form.append('a', '2');
    form.append('file', new Blob(['x'], { type: 'text/plain' }));
    form.append('named', new Blob(['y']), 'y.bin');
    assertEqual(form.get('a'), '1');
    assertDeepEqual(form.getAll('a'), ['1', '2']);
    assertEqual(form.get('missing'), null);
    const file = form.get('file');
    assert(file instanceof File, 'Blob values become Files');
    assertEqual(file.name, 'file', 'named after the entry, as in workerd');
    assertEqual(form.get('named').name, 'y.bin');
    form.set('a', '3');
    assertDeepEqual(form.getAll('a'), ['3']);
    form.delete('file');
    assertEqual(form.has('file'), false);
    assertDeepEqual([...form.keys()], ['a', 'named']);
    form.append('s', 'text', 'filename');
    assertEqual(form.get('s'), 'text', 'a filename given with a string is ignored');
  },
};

export const responseFromStringAndBodyMethods = {
  async test() {
    const response = new Response('{"a":[1,2]}');
    assertEqual(response.status, 200);
    assertEqual(response.ok, true);
    assertEqual(response.statusText, '');
    assertEqual(response.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assertEqual(response.bodyUsed, false);
    assertDeepEqual(await response.json(), { a: [1, 2] });
    assertEqual(response.bodyUsed, true);
    await assertRejects(response.text(), TypeError, kUsed);
    assertEqual(await new Response('\ufeffbom').text(), 'bom');
    assertEqual(await new Response('lone \ud800').text(), 'lone \ufffd');
    assertEqual(await new Response(null).text(), '');
    assertEqual(new Response().body, null);
  },
};

export const bodyAccessorsShareOneUse = {
  async test() {
    const response = new Response('abc');
    const body = response.body;
    assert(body instanceof ReadableStream, 'body is a ReadableStream');
    assertEqual(response.body, body, 'the same stream every time');
    const reader = body.getReader();
    const { value } = await reader.read();
    assertDeepEqual([...value], [97, 98, 99]);
    assertEqual(response.bodyUsed, true);
    await assertRejects(response.arrayBuffer(), TypeError, kUsed);

    const used = new Response('x');
    await used.text();
    assert(used.body.locked, 'a consumed body reads as a locked stream');
  },
};

export const bodyFromBytesIsCopied = {
  async test() {
    const data = new Uint8Array([1, 2, 3, 4]);
    const response = new Response(data.subarray(1, 3));
    data[1] = 9;
    assertDeepEqual([...await response.bytes()], [2, 3]);
    const fromBuffer = new Response(data.buffer);
    assertEqual((await fromBuffer.arrayBuffer()).byteLength, 4);
    assertEqual(fromBuffer.headers.get('content-type'), null);
  },
};

export const bodyFromStream = {
  async test() {
    const encoder = new TextEncoder();
    const response = new Response(streamOf(encoder.encode('he'), encoder.encode('llo')));
    assertEqual(await response.text(), 'hello');
    const notBytes = new Response(streamOf('a string chunk'));
    await assertRejects(notBytes.text(), TypeError, 'did not return bytes');
    const stream = streamOf();
    stream.getReader();
    assertThrows(() => new Response(stream), TypeError);
  },
};

export const bodyFromBlobSearchParamsAndFormData = {
  async test() {
    const blobResponse = new Response(new Blob(['<p>'], { type: 'text/html' }));
    assertEqual(blobResponse.headers.get('content-type'), 'text/html');
    assertEqual(await blobResponse.text(), '<p>');

    const params = new Request('https://example.com/', {
      method: 'POST', body: new URLSearchParams({ q: 'a b', n: '1' }),
    });
    assertEqual(params.headers.get('content-type'),
      'application/x-www-form-urlencoded;charset=UTF-8');
    const form = await params.formData();
    assertEqual(form.get('q'), 'a b');
    assertEqual(form.get('n'), '1');

    const data = new FormData();
    data.append('field', 'value "quoted"');
    data.append('we"ird\nname', 'v');
    data.append('upload', new File(['file body'], 'f.txt', { type: 'text/plain' }));
    const multipart = new Response(data);
    assert(multipart.headers.get('content-type').startsWith('multipart/form-data; boundary='),
      'multipart content type');
    const parsed = await multipart.formData();
    assertEqual(parsed.get('field'), 'value "quoted"');
    assertEqual(parsed.get('we%22ird%0Aname'), 'v', 'escaped as workerd does, not unescaped');
    const upload = parsed.get('upload');
    assertEqual(upload.name, 'f.txt');
    assertEqual(upload.type, 'text/plain');
    assertEqual(await upload.text(), 'file body');

    await assertRejects(new Response('x').formData(), TypeError);
    const blob = await new Response('z', { headers: { 'content-type': 'x/y' } }).blob();
    assertEqual(blob.type, 'x/y');
    assertEqual(await blob.text(), 'z');
  },
};

export const explicitContentTypeWins = {
  test() {
    const response = new Response('x', { headers: { 'Content-Type': 'text/html' } });
    assertEqual(response.headers.get('content-type'), 'text/html');
  },
};

export const responseStatusValidation = {
  test() {
    assertEqual(new Response(null, { status: 404 }).ok, false);
    assertEqual(new Response(null, { status: 299, statusText: 'Fine' }).statusText, 'Fine');
    assertThrows(() => new Response(null, { status: 199 }), RangeError);
    assertThrows(() => new Response(null, { status: 600 }), RangeError);
    assertThrows(() => new Response(null, { status: 0 }), RangeError);
    assertThrows(() => new Response('body', { status: 204 }), TypeError);
    assertThrows(() => new Response('body', { status: 304 }), TypeError);
    assertEqual(new Response(null, { status: 204 }).status, 204);
    assertThrows(() => new Response(null, { statusText: 'a\nb' }), TypeError);
  },
};

export const responseJsonRedirectAndError = {
  async test() {
    const json = Response.json({ ok: true }, { status: 201, headers: { 'x-a': '1' } });
    assertEqual(json.status, 201);
    assertEqual(json.headers.get('content-type'), 'application/json');
    assertEqual(json.headers.get('x-a'), '1');
    assertDeepEqual(await json.json(), { ok: true });
    assertEqual(Response.json(1, { headers: { 'content-type': 'x/json' } }).headers
      .get('content-type'), 'x/json');
    assertThrows(() => Response.json(undefined), TypeError);
    assertThrows(() => Response.json(1n), TypeError);

    const redirect = Response.redirect('https://example.com/a b', 301);
    assertEqual(redirect.status, 301);
    assertEqual(redirect.headers.get('location'), 'https://example.com/a%20b');
    assertEqual(Response.redirect('https://example.com/').status, 302);
    assertThrows(() => Response.redirect('https://example.com/', 200), RangeError);
    assertThrows(() => Response.redirect('/relative'), TypeError);
    assertThrows(() => redirect.headers.set('location', 'elsewhere'), TypeError, 'immutable');

    const error = Response.error();
    assertEqual(error.type, 'error');
    assertEqual(error.status, 0);
    assertEqual(error.ok, false);
  },
};

export const responseCloneTeesTheBody = {
  async test() {
    const response = new Response(streamOf(new Uint8Array([104, 105])), {
      status: 202, headers: { 'x-h': 'v' },
    });
    const clone = response.clone();
    assertEqual(clone.status, 202);
    assertEqual(clone.headers.get('x-h'), 'v');
    clone.headers.set('x-h', 'changed');
    assertEqual(response.headers.get('x-h'), 'v', 'headers are copied, not shared');
    assertEqual(await response.text(), 'hi');
    assertEqual(await clone.text(), 'hi');
    assertThrows(() => response.clone(), TypeError);

    const bytes = new Response(new Uint8Array([1, 2]));
    const copy = bytes.clone();
    (await bytes.bytes())[0] = 7;
    assertDeepEqual([...await copy.bytes()], [1, 2]);
  },
};

export const requestDefaultsAndNormalization = {
  test() {
    const request = new Request('https://example.com/path?q#frag');
    assertEqual(request.url, 'https://example.com/path?q#frag');
    assertEqual(request.method, 'GET');
    assertEqual(request.redirect, 'follow');
    assertEqual(request.body, null);
    assertEqual(request.bodyUsed, false);
    assert(request.signal instanceof AbortSignal, 'a request always has a signal');
    assertEqual(request.signal.aborted, false);
    assertEqual(new Request('https://example.com', { method: 'post', body: '' }).method, 'POST');
    assertEqual(new Request('https://example.com', { method: 'delete' }).method, 'DELETE');
    assertEqual(new Request('https://example.com', { method: 'Custom' }).method, 'Custom');
    assertEqual(new Request(new URL('https://example.com/u')).url, 'https://example.com/u');
    assertThrows(() => new Request('https://example.com', { method: 'bad method' }), TypeError);
    assertThrows(() => new Request('https://example.com', { method: 'CONNECT' }), TypeError);
    assertThrows(() => new Request('https://example.com', { redirect: 'sometimes' }), TypeError);
    assertThrows(() => new Request('https://example.com', { signal: {} }), TypeError);
  },
};

export const requestRejectsRelativeUrlsAndGetBodies = {
  test() {
    assertThrows(() => new Request('/relative'), TypeError);
    assertThrows(() => new Request('https://user:pass@example.com/'), TypeError, 'credentials');
    assertThrows(() => new Request('https://example.com', { body: 'x' }), TypeError,
      'Request with a GET or HEAD method cannot have a body.');
    assertThrows(() => new Request('https://example.com', { method: 'HEAD', body: 'x' }),
      TypeError, 'Request with a GET or HEAD method cannot have a body.');
    assertEqual(new Request('https://example.com', { body: null }).body, null);
  },
};

export const requestFromRequestTakesTheBody = {
  async test() {
    const signal = new AbortController().signal;
    const original = new Request('https://example.com/', {
      method: 'PUT', body: 'payload', headers: { 'x-a': '1' }, redirect: 'manual', signal,
    });
    const copy = new Request(original, { headers: { 'x-b': '2' } });
    assertEqual(copy.method, 'PUT');
    assertEqual(copy.redirect, 'manual');
    assertEqual(copy.signal, signal);
    assertEqual(copy.headers.get('x-a'), null);
    assertEqual(copy.headers.get('x-b'), '2');
    assertEqual(original.bodyUsed, true, 'the original body moved to the copy');
    assertEqual(await copy.text(), 'payload');
    assertThrows(() => new Request(original), TypeError);

    const withNewBody = new Request(new Request('https://example.com/', {
      method: 'POST', body: 'old',
    }), { body: 'new' });
    assertEqual(await withNewBody.text(), 'new');
    assertEqual(withNewBody.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assertThrows(() => new Request(new Request('https://example.com/', {
      method: 'POST', body: 'x',
    }), { method: 'GET' }), TypeError);
  },
};

export const requestCloneAndCf = {
  async test() {
    const request = new Request('https://example.com/', {
      method: 'POST', body: 'twice', cf: { cacheTtl: 5 },
    });
    const clone = request.clone();
    assertEqual(clone.cf.cacheTtl, 5);
    assertEqual(clone.url, request.url);
    assertEqual(await clone.text(), 'twice');
    assertEqual(await request.text(), 'twice');
    assertThrows(() => request.clone(), TypeError);
  },
};

export const fetchRejectsWithoutNetwork = {
  async test() {
    await assertRejects(fetch('/relative'), TypeError);
    await assertRejects(fetch('https://example.com/', { body: 'x' }), TypeError,
      'Request with a GET or HEAD method cannot have a body.');
    const controller = new AbortController();
    controller.abort();
    const error = await assertRejects(fetch('https://example.com/', {
      signal: controller.signal,
    }));
    assert(error instanceof DOMException, 'aborted fetches reject with a DOMException');
    assertEqual(error.name, 'AbortError');
    const custom = new AbortController();
    custom.abort(new RangeError('mine'));
    await assertRejects(fetch('https://example.com/', { signal: custom.signal }), RangeError,
      'mine');
  },
};

export const classesAreBranded = {
  async test() {
    assertEqual(Object.prototype.toString.call(new Headers()), '[object Headers]');
    assertEqual(Object.prototype.toString.call(new Response()), '[object Response]');
    assertEqual(Object.prototype.toString.call(new Request('https://a.b/')), '[object Request]');
    assertEqual(Object.prototype.toString.call(new FormData()), '[object FormData]');
    const text = Response.prototype.text;
    await assertRejects(text.call({}), TypeError);
    assertThrows(() => Headers.prototype.get.call({}, 'a'), TypeError);
  },
};

// workerd's words (checked side by side) for bodies that cannot be used again.
export const unusableBodiesAreRefusedWithWorkerdsMessages = {
  async test() {
    const used = new Request("http://x/", { method: "POST", body: "abc" });
    await used.text();
    assertThrows(() => new Request(used), TypeError, "Cannot reconstruct a Request with a used body.");
    assertThrows(() => new Request(used, { method: "GET" }), TypeError,
      "Cannot reconstruct a Request with a used body.");
    const read = new Response("x");
    const stream = read.body;
    await read.text();
    assertThrows(() => new Response(stream), TypeError,
      "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.");
    const locked = new ReadableStream();
    locked.getReader();
    assertThrows(() => new Response(locked), TypeError,
      "This ReadableStream is locked to a reader, and cannot be used as a body.");
  },
};
