// expect: 200 flooded
// A console flood, twice the per-event cap of 10,000 lines: what is past the cap must be
// dropped, at no cost to the log or the daemon. (Much longer floods run into the child's
// 200 ms CPU limit, which is not what this case is about.)
export default {
  fetch() {
    const line = "flood ".repeat(50);
    for (let i = 0; i < 20_000; i++) console.log(line, i);
    return new Response("flooded");
  },
};
