// Tests for url.js: URL and URLSearchParams (WHATWG URL Standard).

import { assert, assertEqual, assertDeepEqual, assertThrows } from 'assert.js';

function parts(url) {
  const u = new URL(url);
  return {
    href: u.href, origin: u.origin, protocol: u.protocol, username: u.username,
    password: u.password, host: u.host, hostname: u.hostname, port: u.port,
    pathname: u.pathname, search: u.search, hash: u.hash,
  };
}

export const parsesAllComponents = {
  test() {
    assertDeepEqual(parts('HTTPS://User:Pa%20ss@Example.COM:8443/a/b;c?x=1&y#frag'), {
      href: 'https://User:Pa%20ss@example.com:8443/a/b;c?x=1&y#frag',
      origin: 'https://example.com:8443', protocol: 'https:', username: 'User',
      password: 'Pa%20ss', host: 'example.com:8443', hostname: 'example.com', port: '8443',
      pathname: '/a/b;c', search: '?x=1&y', hash: '#frag',
    });
  },
};

export const defaultPortsAreDropped = {
  test() {
    assertEqual(new URL('http://h:80/').href, 'http://h/');
    assertEqual(new URL('https://h:443/').port, '');
    assertEqual(new URL('ws://h:80/').host, 'h');
    assertEqual(new URL('wss://h:443/').host, 'h');
    assertEqual(new URL('ftp://h:21/').host, 'h');
    assertEqual(new URL('http://h:0080/').host, 'h');
    assertEqual(new URL('https://h:80/').host, 'h:80');
    // Non-special schemes have no default port.
    assertEqual(new URL('foo://h:80/').host, 'h:80');
    assertEqual(new URL('http://h:/').href, 'http://h/');
  },
};

export const relativeResolution = {
  test() {
    // RFC 3986 section 5.4 examples, which the WHATWG parser agrees with.
    const base = 'http://a/b/c/d;p?q';
    const cases = {
      'g:h': 'g:h', g: 'http://a/b/c/g', './g': 'http://a/b/c/g', 'g/': 'http://a/b/c/g/',
      '/g': 'http://a/g', '//g': 'http://g/', '?y': 'http://a/b/c/d;p?y',
      'g?y': 'http://a/b/c/g?y', '#s': 'http://a/b/c/d;p?q#s', 'g#s': 'http://a/b/c/g#s',
      'g?y#s': 'http://a/b/c/g?y#s', ';x': 'http://a/b/c/;x', 'g;x': 'http://a/b/c/g;x',
      '': 'http://a/b/c/d;p?q', '.': 'http://a/b/c/', './': 'http://a/b/c/',
      '..': 'http://a/b/', '../': 'http://a/b/', '../g': 'http://a/b/g', '../..': 'http://a/',
      '../../g': 'http://a/g', '../../../g': 'http://a/g', '/./g': 'http://a/g',
      '/../g': 'http://a/g', 'g.': 'http://a/b/c/g.', '.g': 'http://a/b/c/.g',
      'g..': 'http://a/b/c/g..', '..g': 'http://a/b/c/..g', './../g': 'http://a/b/g',
      'g/./h': 'http://a/b/c/g/h', 'g/../h': 'http://a/b/c/h',
      'g;x=1/../y': 'http://a/b/c/y', 'http:g': 'http://a/b/c/g',
    };
    for (const [input, expected] of Object.entries(cases)) {
      assertEqual(new URL(input, base).href, expected, input);
    }
    assertEqual(new URL('../a', 'http://x/b/c').href, 'http://x/a');
    // The base may itself be a URL object.
    assertEqual(new URL('x', new URL('http://h/dir/file')).href, 'http://h/dir/x');
  },
};

export const dotSegments = {
  test() {
    assertEqual(new URL('http://h/a/./b/../c').pathname, '/a/c');
    assertEqual(new URL('http://h/a/%2e/b/%2E%2e/c').pathname, '/a/c');
    assertEqual(new URL('http://h/a/b/..').pathname, '/a/');
    assertEqual(new URL('http://h/../../x').pathname, '/x');
    assertEqual(new URL('http://h/a/..b/c.').pathname, '/a/..b/c.');
    assertEqual(new URL('http://h').pathname, '/');
    assertEqual(new URL('foo://h').pathname, '');
  },
};

export const hostsAreNormalized = {
  test() {
    assertEqual(new URL('http://EXAMPLE.Com/').host, 'example.com');
    assertEqual(new URL('http://ex%41mple.com/').host, 'example.com');
    assertEqual(new URL('http://a..b/').host, 'a..b');
    // Non-special hosts are opaque: case is kept.
    assertEqual(new URL('foo://EXAMPLE.com/').host, 'EXAMPLE.com');
    assertThrows(() => new URL('http://exa mple.com/'), TypeError);
    assertThrows(() => new URL('http://a<b/'), TypeError);
    assertThrows(() => new URL('http://%25/'), TypeError);
    assertThrows(() => new URL('http:///'), TypeError);
    assertEqual(new URL('foo:///x').host, '');
  },
};

export const internationalHosts = {
  test() {
    assertEqual(new URL('http://münchen.de/').host, 'xn--mnchen-3ya.de');
    assertEqual(new URL('http://MÜNCHEN.de/').host, 'xn--mnchen-3ya.de');
    assertEqual(new URL('http://例え.テスト/').host, 'xn--r8jz45g.xn--zckzah');
    assertEqual(new URL('http://a。b/').host, 'a.b');
    assertEqual(new URL('https://faß.example/').host, 'xn--fa-hia.example');
    assertEqual(new URL('http://%C3%BC.de/').host, 'xn--tda.de');
    assertThrows(() => new URL('http://a\ufffdb/'), TypeError);
  },
};

export const ipv4Hosts = {
  test() {
    const cases = {
      'http://127.0.0.1/': '127.0.0.1', 'http://0x7f.1/': '127.0.0.1',
      'http://2130706433/': '127.0.0.1', 'http://0300.0250.0.1/': '192.168.0.1',
      'http://192.168.257/': '192.168.1.1', 'http://1.2.3.4./': '1.2.3.4',
      'http://0/': '0.0.0.0', 'http://0x/': '0.0.0.0', 'http://4294967295/': '255.255.255.255',
      'http://1.0x/': '1.0.0.0',
    };
    for (const [input, host] of Object.entries(cases)) {
      assertEqual(new URL(input).host, host, input);
    }
    for (const bad of ['http://1.2.3.256/', 'http://4294967296/', 'http://1.2.3.4.5/',
      'http://0x100000000/', 'http://256.0.0.1/', 'http://foo.09/', 'http://1.08/']) {
      assertThrows(() => new URL(bad), TypeError, undefined, bad);
    }
    // Only a trailing number makes it an address; this is a domain.
    assertEqual(new URL('http://1.2.3.4.com/').host, '1.2.3.4.com');
    // Non-special URLs never parse IPv4.
    assertEqual(new URL('foo://0x7f.1/').host, '0x7f.1');
  },
};

export const ipv6Hosts = {
  test() {
    const cases = {
      'http://[0:0:0:0:0:0:0:1]/': '[::1]', 'http://[::]/': '[::]',
      'http://[2001:DB8:0:0:1:0:0:1]/': '[2001:db8::1:0:0:1]',
      'http://[1:0:0:2::3:0]/': '[1::2:0:0:3:0]',
      'http://[::ffff:192.168.1.1]/': '[::ffff:c0a8:101]',
      'http://[1:2:3:4:5:6:7:8]:81/': '[1:2:3:4:5:6:7:8]:81', 'foo://[::1]/': '[::1]',
      'http://[0:1:0:1:0:1:0:1]/': '[0:1:0:1:0:1:0:1]',
    };
    for (const [input, host] of Object.entries(cases)) {
      assertEqual(new URL(input).host, host, input);
    }
    assertEqual(new URL('http://[::1]:8080/').hostname, '[::1]');
    for (const bad of ['http://[::1/', 'http://[1:2:3:4:5:6:7:8:9]/', 'http://[::1::]/',
      'http://[1:2]/', 'http://[::127.0.0.256]/', 'http://[g::]/', 'http://[]/']) {
      assertThrows(() => new URL(bad), TypeError, undefined, bad);
    }
  },
};

export const percentEncodingSets = {
  test() {
    const u = new URL('http://h/a b"<>`{}é?q "<>\'`é#f "<>`é');
    assertEqual(u.pathname, '/a%20b%22%3C%3E%60%7B%7D%C3%A9');
    assertEqual(u.search, '?q%20%22%3C%3E%27`%C3%A9');
    assertEqual(u.hash, '#f%20%22%3C%3E%60%C3%A9');
    // The apostrophe is only encoded in special URLs' queries.
    assertEqual(new URL("foo://h/?'").search, "?'");
    // Existing escapes are kept as they are, even invalid ones.
    assertEqual(new URL('http://h/%zz%41').pathname, '/%zz%41');
    assertEqual(new URL('http://h/\ud800').pathname, '/%EF%BF%BD');
    assertEqual(new URL('http://h/😀').pathname, '/%F0%9F%98%80');
  },
};

export const whitespaceAndControlCharacters = {
  test() {
    assertEqual(new URL('  \t http://h/a\tb\nc\r  ').href, 'http://h/abc');
    assertEqual(new URL('http://h/\u0001x').pathname, '/%01x');
    assertEqual(new URL('h\tt\ntp://h').href, 'http://h/');
  },
};

export const backslashesInSpecialURLs = {
  test() {
    assertEqual(new URL('http:\\\\host\\a\\b').href, 'http://host/a/b');
    assertEqual(new URL('\\x', 'http://h/a/b').href, 'http://h/x');
    assertEqual(new URL('\\\\other\\x', 'http://h/a/b').href, 'http://other/x');
    // Non-special URLs keep backslashes in their paths.
    assertEqual(new URL('foo://h/a\\b').pathname, '/a\\b');
  },
};

export const credentials = {
  test() {
    const u = new URL('http://us er:p@ss:w@h/');
    assertEqual(u.username, 'us%20er');
    assertEqual(u.password, 'p%40ss%3Aw');
    assertEqual(u.href, 'http://us%20er:p%40ss%3Aw@h/');
    assertEqual(new URL('http://:@h/').href, 'http://h/');
    assertEqual(new URL('http://u:@h/').href, 'http://u@h/');
    assertThrows(() => new URL('http://u@/'), TypeError);
  },
};

export const opaquePaths = {
  test() {
    const mail = new URL('mailto:Someone@Example.com?subject=hi there');
    assertEqual(mail.protocol, 'mailto:');
    assertEqual(mail.pathname, 'Someone@Example.com');
    assertEqual(mail.host, '');
    assertEqual(mail.origin, 'null');
    assertEqual(mail.search, '?subject=hi%20there');
    const data = new URL('data:text/plain,a b#frag');
    assertEqual(data.pathname, 'text/plain,a b');
    assertEqual(data.hash, '#frag');
    const js = new URL('javascript:alert(1)');
    assertEqual(js.pathname, 'alert(1)');
    // Host and path setters do nothing on opaque-path URLs.
    mail.host = 'other';
    mail.pathname = '/x';
    assertEqual(mail.href, 'mailto:Someone@Example.com?subject=hi%20there');
    // Relative references cannot resolve against them, except a lone fragment.
    assertThrows(() => new URL('x', 'mailto:a@b'), TypeError);
    assertEqual(new URL('#f', 'mailto:a@b').href, 'mailto:a@b#f');
  },
};

export const fileURLs = {
  test() {
    assertEqual(new URL('file:///C:/a/../../b').href, 'file:///C:/b');
    assertEqual(new URL('file://localhost/x').href, 'file:///x');
    assertEqual(new URL('file:c:\\foo\\bar').href, 'file:///c:/foo/bar');
    assertEqual(new URL('file://C|/x').href, 'file:///C:/x');
    assertEqual(new URL('file://host/share/x').host, 'host');
    assertEqual(new URL('..', 'file:///C:/').href, 'file:///C:/');
    assertEqual(new URL('/x', 'file:///C:/a/b').href, 'file:///C:/x');
    assertEqual(new URL('file:///x').origin, 'null');
    assertEqual(new URL('file:').href, 'file:///');
  },
};

export const origins = {
  test() {
    assertEqual(new URL('https://h:443/x').origin, 'https://h');
    assertEqual(new URL('http://h:8080/x').origin, 'http://h:8080');
    assertEqual(new URL('ws://h/').origin, 'ws://h');
    assertEqual(new URL('blob:https://h:8443/uuid').origin, 'https://h:8443');
    assertEqual(new URL('blob:file:///x').origin, 'null');
    assertEqual(new URL('foo://h/').origin, 'null');
  },
};

export const invalidURLMessages = {
  test() {
    for (const input of ['', 'nope', 'http://', 'http://[::1', 'http://h:99999/', '//x']) {
      assertThrows(() => new URL(input), TypeError, `Invalid URL: ${input}`);
    }
    assertThrows(() => new URL('x', 'not a base'), TypeError, 'Invalid URL: x');
    assertThrows(() => new URL(), TypeError);
  },
};

export const canParseAndParse = {
  test() {
    assertEqual(URL.canParse('http://h/'), true);
    assertEqual(URL.canParse('nope'), false);
    assertEqual(URL.canParse('x', 'http://h/'), true);
    assertEqual(URL.canParse('x', 'nope'), false);
    assertEqual(URL.parse('nope'), null);
    assertEqual(URL.parse('/p', 'http://h/q').href, 'http://h/p');
  },
};

export const serializersAndJSON = {
  test() {
    const u = new URL('http://h/p?q#f');
    assertEqual(String(u), 'http://h/p?q#f');
    assertEqual(u.toJSON(), 'http://h/p?q#f');
    assertEqual(JSON.stringify({ u }), '{"u":"http://h/p?q#f"}');
    assertEqual(Object.prototype.toString.call(u), '[object URL]');
    // Empty query and fragment are kept in href but hidden by the getters.
    const empty = new URL('http://h/?#');
    assertEqual(empty.href, 'http://h/?#');
    assertEqual(empty.search, '');
    assertEqual(empty.hash, '');
    // A non-special URL whose path starts with an empty segment needs "/." to round-trip.
    assertEqual(new URL('foo:/.//p').href, 'foo:/.//p');
    assertEqual(new URL('foo:/.//p').pathname, '//p');
  },
};

export const protocolSetter = {
  test() {
    const u = new URL('http://h:443/p');
    u.protocol = 'https';
    assertEqual(u.href, 'https://h/p');
    u.protocol = 'WSS:';
    assertEqual(u.protocol, 'wss:');
    // Special and non-special schemes cannot be swapped for each other.
    u.protocol = 'foo';
    assertEqual(u.protocol, 'wss:');
    const other = new URL('foo://h/');
    other.protocol = 'http';
    assertEqual(other.protocol, 'foo:');
    other.protocol = 'bar:ignored';
    assertEqual(other.href, 'bar://h/');
    other.protocol = '1bad';
    assertEqual(other.protocol, 'bar:');
    // file: cannot carry credentials or a port.
    const creds = new URL('http://u@h/');
    creds.protocol = 'file';
    assertEqual(creds.protocol, 'http:');
  },
};

export const credentialSetters = {
  test() {
    const u = new URL('http://h/');
    u.username = 'a b@c';
    u.password = 'p:w/d';
    assertEqual(u.href, 'http://a%20b%40c:p%3Aw%2Fd@h/');
    u.password = '';
    assertEqual(u.href, 'http://a%20b%40c@h/');
    const file = new URL('file:///x');
    file.username = 'nope';
    assertEqual(file.href, 'file:///x');
  },
};

export const hostSetters = {
  test() {
    const u = new URL('http://h:81/p?q');
    u.host = 'Other.COM:8080';
    assertEqual(u.href, 'http://other.com:8080/p?q');
    u.host = 'x.com:80';
    assertEqual(u.host, 'x.com');
    u.host = '';
    assertEqual(u.host, 'x.com', 'special URLs cannot lose their host');
    u.host = 'y.com/ignored';
    assertEqual(u.href, 'http://y.com/p?q');
    u.hostname = 'z.com:99';
    assertEqual(u.host, 'y.com', 'hostname cannot carry a port');
    u.hostname = 'Z.com';
    assertEqual(u.host, 'z.com');
    u.hostname = '[::1]';
    assertEqual(u.href, 'http://[::1]/p?q');
    u.host = 'bad host';
    assertEqual(u.hostname, '[::1]');
  },
};

export const portSetter = {
  test() {
    const u = new URL('http://h/');
    u.port = '8080';
    assertEqual(u.port, '8080');
    u.port = '80';
    assertEqual(u.port, '');
    u.port = 8081;
    assertEqual(u.host, 'h:8081');
    // Trailing garbage is ignored, but a value that does not start with a digit or is too
    // large changes nothing.
    u.port = '9090abc';
    assertEqual(u.port, '9090');
    u.port = 'abc';
    assertEqual(u.port, '9090');
    u.port = '65536';
    assertEqual(u.port, '9090');
    u.port = '';
    assertEqual(u.href, 'http://h/');
  },
};

export const pathSearchHashSetters = {
  test() {
    const u = new URL('http://h/a?b#c');
    u.pathname = 'x y/../z';
    assertEqual(u.pathname, '/z');
    u.pathname = '/a b?#';
    assertEqual(u.pathname, '/a%20b%3F%23');
    u.search = 'k=v w';
    assertEqual(u.search, '?k=v%20w');
    u.search = '??x';
    assertEqual(u.search, '??x');
    u.search = '';
    assertEqual(u.href, 'http://h/a%20b%3F%23#c');
    u.hash = 'frag ment';
    assertEqual(u.hash, '#frag%20ment');
    u.hash = '';
    assertEqual(u.href, 'http://h/a%20b%3F%23');
    u.href = 'https://new.example/';
    assertEqual(u.host, 'new.example');
    assertThrows(() => {
      u.href = 'not a url';
    }, TypeError, 'Invalid URL: not a url');
  },
};

export const opaquePathTrailingSpaces = {
  test() {
    // Removing the query or fragment strips trailing spaces that would otherwise be lost
    // on reparse.
    const u = new URL('foo:bar  #frag');
    assertEqual(u.pathname, 'bar  ');
    u.hash = '';
    assertEqual(u.href, 'foo:bar');
  },
};

export const searchParamsStayInSync = {
  test() {
    const u = new URL('http://h/?a=1&b=2');
    const params = u.searchParams;
    assertEqual(u.searchParams, params, 'searchParams must be the same object every time');
    assertEqual(params.get('a'), '1');
    params.append('c', 'x y');
    assertEqual(u.search, '?a=1&b=2&c=x+y');
    u.search = '?z=9';
    assertEqual(params.get('z'), '9');
    assertEqual(params.has('a'), false);
    u.href = 'http://h/?k=v';
    assertEqual(params.get('k'), 'v');
    params.delete('k');
    assertEqual(u.search, '');
    assertEqual(u.href, 'http://h/');
    u.search = '';
    assertEqual(params.size, 0);
  },
};

export const searchParamsConstructors = {
  test() {
    assertEqual(new URLSearchParams('?a=1&b=2').toString(), 'a=1&b=2');
    assertEqual(new URLSearchParams('??a=1').toString(), '%3Fa=1');
    assertDeepEqual([...new URLSearchParams([['a', '1'], ['a', '2']])], [['a', '1'], ['a', '2']]);
    assertDeepEqual([...new URLSearchParams({ x: 1, y: 'two' })], [['x', '1'], ['y', 'two']]);
    const original = new URLSearchParams('q=1');
    const copy = new URLSearchParams(original);
    copy.append('r', '2');
    assertEqual(original.toString(), 'q=1', 'a copy must be independent');
    assertEqual(copy.toString(), 'q=1&r=2');
    assertDeepEqual([...new URLSearchParams(new Map([['m', 'v']]))], [['m', 'v']]);
    assertThrows(() => new URLSearchParams([['a']]), TypeError);
    assertThrows(() => new URLSearchParams([['a', 'b', 'c']]), TypeError);
    assertThrows(() => new URLSearchParams(['ab']), TypeError);
    assertEqual(new URLSearchParams().toString(), '');
  },
};

export const searchParamsParsing = {
  test() {
    const params = new URLSearchParams('a=b+c&%41=%zz&&=e&f&g=h=i&%C3%A9=%F0%9F%98%80&x=%FF');
    assertDeepEqual([...params], [
      ['a', 'b c'], ['A', '%zz'], ['', 'e'], ['f', ''], ['g', 'h=i'], ['é', '😀'], ['x', '\ufffd'],
    ]);
  },
};

export const searchParamsMethods = {
  test() {
    const p = new URLSearchParams('a=1&b=2&a=3');
    assertEqual(p.size, 3);
    assertEqual(p.get('a'), '1');
    assertEqual(p.get('missing'), null);
    assertDeepEqual(p.getAll('a'), ['1', '3']);
    assertEqual(p.has('b'), true);
    assertEqual(p.has('a', '3'), true);
    assertEqual(p.has('a', '2'), false);
    p.delete('a', '1');
    assertEqual(p.toString(), 'b=2&a=3');
    p.set('b', 'x');
    p.set('new', 'y');
    assertEqual(p.toString(), 'b=x&a=3&new=y');
    p.append('a', '4');
    p.set('a', '5');
    assertEqual(p.toString(), 'b=x&a=5&new=y');
    p.delete('a');
    assertEqual(p.toString(), 'b=x&new=y');
    assertThrows(() => p.append('only-name'), TypeError);
    assertThrows(() => p.get(), TypeError);
  },
};

export const searchParamsSerialization = {
  test() {
    const p = new URLSearchParams();
    p.append('a b', "c+d&e=f~*-._!'()é");
    assertEqual(p.toString(), 'a+b=c%2Bd%26e%3Df%7E*-._%21%27%28%29%C3%A9');
    p.append('\ud800', '😀');
    assertEqual(p.toString().split('&')[1], '%EF%BF%BD=%F0%9F%98%80');
  },
};

export const searchParamsSortIsStable = {
  test() {
    const p = new URLSearchParams('z=1&a=2&z=0&a=1&\ufb03=x&\ud83c\udf08=y&A=3');
    p.sort();
    // By UTF-16 code units: 'A' < 'a' < 'z' < U+D83C (the emoji) < U+FB03.
    assertDeepEqual([...p.keys()], ['A', 'a', 'a', 'z', 'z', '\ud83c\udf08', '\ufb03']);
    assertDeepEqual(p.getAll('a'), ['2', '1']);
    assertDeepEqual(p.getAll('z'), ['1', '0']);
  },
};

export const searchParamsIteration = {
  test() {
    const p = new URLSearchParams('a=1&b=2');
    assertDeepEqual([...p.keys()], ['a', 'b']);
    assertDeepEqual([...p.values()], ['1', '2']);
    assertDeepEqual([...p.entries()], [['a', '1'], ['b', '2']]);
    assertEqual(p[Symbol.iterator], p.entries);
    const seen = [];
    p.forEach(function each(value, key, obj) {
      seen.push([key, value, obj === p, this]);
    }, 'ctx');
    assertDeepEqual(seen, [['a', '1', true, 'ctx'], ['b', '2', true, 'ctx']]);
    // Iterators see changes made while iterating.
    const it = p.keys();
    assertEqual(it.next().value, 'a');
    p.append('c', '3');
    assertEqual(it.next().value, 'b');
    assertEqual(it.next().value, 'c');
    assertEqual(it.next().done, true);
    assertEqual(Object.prototype.toString.call(it), '[object URLSearchParams Iterator]');
    assertEqual(typeof it[Symbol.iterator], 'function');
  },
};

export const urlGlobals = {
  test() {
    for (const name of ['URL', 'URLSearchParams']) {
      const desc = Object.getOwnPropertyDescriptor(globalThis, name);
      assert(desc !== undefined && !desc.enumerable && desc.writable, name);
    }
    const keys = [];
    for (const key in new URL('http://h/')) keys.push(key);
    assert(keys.includes('href') && keys.includes('searchParams'),
      'URL attributes are enumerable like in browsers');
  },
};
