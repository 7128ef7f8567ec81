// fetch() of data: URLs against WPT's fetch/data-urls/resources/data-urls.json, as WPT's
// processing.any.js runs it: [input, expected MIME type ("" for text/plain;charset=US-ASCII) or
// null for a network error, expected body bytes].
import { assert, assertEqual, assertRejects } from "assert.js";
import CASES from "wpt/data-urls.json";

export const wptDataUrls = {
  async test() {
    const failures = [];
    for (const [input, mime, bytes] of CASES) {
      try {
        if (mime === null) {
          await assertRejects(fetch(input), TypeError);
          continue;
        }
        const response = await fetch(input);
        const got = [...new Uint8Array(await response.arrayBuffer())];
        const type = response.headers.get("content-type");
        const want = mime === "" ? "text/plain;charset=US-ASCII" : mime;
        if (type !== want || JSON.stringify(got) !== JSON.stringify(bytes)) {
          failures.push(`${JSON.stringify(input)}: ${type} ${JSON.stringify(got)}, want ${want} ${JSON.stringify(bytes)}`);
        }
      } catch (e) {
        failures.push(`${JSON.stringify(input)}: ${e}`);
      }
    }
    assertEqual(failures.join("\n"), "", `${failures.length} of ${CASES.length} failed`);
  },
};

// The response of a data: URL. Its url is the data: URL, as the Fetch standard says (workerd
// leaves it empty).
export const dataResponses = {
  async test() {
    const response = await fetch("data:text/plain;base64,aGk=#frag");
    assertEqual(response.status, 200);
    assertEqual(response.url, "data:text/plain;base64,aGk=");
    assertEqual(await response.text(), "hi");
    await assertRejects(fetch("data:;base64,!!"), TypeError, "Fetch API cannot load: data:;base64,!!");
    const aborted = new AbortController();
    aborted.abort();
    await assertRejects(fetch("data:,x", { signal: aborted.signal }), DOMException);
    assert((await fetch(new Request("data:,x"))).ok);
  },
};
