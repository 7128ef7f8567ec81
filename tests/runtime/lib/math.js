import text from "./greeting.txt";
export const double = (x) => x * 2;
export const greetingLength = text.length;
