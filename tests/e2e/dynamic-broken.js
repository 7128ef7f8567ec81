export default {
  this is not javascript
