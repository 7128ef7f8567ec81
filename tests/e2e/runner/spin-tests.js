// A test that spins: the CPU limit its timeout sets must stop it (the runner's timer, on the same
// thread, could not). Its own worker: a worker stopped by a limit runs no more JavaScript.
export const spinsForever = {
  test() {
    for (;;) {}
  },
};
