// expect: 200 polluted
// Pollutes every shared-looking prototype and global it can reach; hostile-test.sh then checks
// that the parent, the bystander and a fresh child all still see clean prototypes.
export default {
  fetch() {
    Object.prototype.polluted = "yes";
    Array.prototype.polluted = "yes";
    Object.defineProperty(Object.prototype, "toJSON", { value() { return "polluted"; }, configurable: true });
    String.prototype.trim = () => "polluted";
    JSON.parse = () => "polluted";
    globalThis.Response.prototype.polluted = "yes";
    return new Response(`polluted: ${{}.polluted}`);
  },
};
