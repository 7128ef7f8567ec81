const config = require("./config.json");
module.exports = { answer: config.answer, kind: "commonjs", dir: __dirname };
