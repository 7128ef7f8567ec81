// expect: 200 flooded
// A console flood: output is capped per event, so this must cost neither the log nor the daemon.
export default {
  fetch() {
    const line = "flood ".repeat(50);
    for (let i = 0; i < 100_000; i++) console.log(line, i);
    return new Response("flooded");
  },
};
