export const passes = {
  test() {},
};

export const neverSettles = {
  // Nothing pending at all: Workers' hang detection fails it at once, long before the timeout.
  test() {
    return new Promise(() => {});
  },
};
