// expect: 500 hung and would never generate a response
// within-ms: 5000
// Nothing can ever settle this promise: Workers cancels the request at once with "...detected
// that your Worker's code had hung and would never generate a response."
export default {
  fetch() {
    return new Promise(() => {});
  },
};
