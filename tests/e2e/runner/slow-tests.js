// Tests that never finish, for tests/e2e/test-runner-test.sh: `kiln test` must name each one,
// fail it at its timeout and go on to the next.
export const waitsForever = {
  async test() {
    // A pending timer is work in flight, so this is not a hang: only the timeout ends it.
    await new Promise((resolve) => setTimeout(resolve, 1e9));
  },
};

