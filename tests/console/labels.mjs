// The console's Chinese words (console/src/lib/labels.js), in Node: every table's keys, and how a
// code the console does not know yet is shown.
import * as labels from "../../console/src/lib/labels.js";

const keys = Object.fromEntries(
  Object.entries(labels).filter(([, v]) => v && typeof v === "object").map(([name, map]) => [name, Object.keys(map)]),
);
console.log(JSON.stringify({ keys, unknownRule: labels.dutyRule("art99_new"), unknownSubject: labels.subjectType("scenario") }));
