// expect: 500 exceeded CPU time limit
// A promise chain that re-queues itself forever: no macrotask ever runs, so only a CPU budget
// that covers microtasks can stop it.
export default {
  fetch() {
    const spin = () => { Promise.resolve().then(spin); };
    spin();
    return new Promise(() => {});
  },
};
