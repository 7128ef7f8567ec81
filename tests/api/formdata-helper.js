// The other end of formdata-test.js's service binding: answers with the entries that
// request.formData() found, files described by name, type, size and text.
async function desc(v) {
  if (typeof v === 'string') return v;
  return { name: v.name, type: v.type, size: v.size, text: await v.text() };
}

export default {
  async fetch(request) {
    const out = [];
    for (const [k, v] of await request.formData()) out.push([k, await desc(v)]);
    return Response.json(out);
  },
};
