// Reads one JSON request on stdin and answers on stdout, using the npm diff-match-patch:
//   {"op": "make", "a": ..., "b": ...}        -> {"patch": patch_toText(patch_make(a, b))}
//   {"op": "apply", "patch": ..., "text": ...} -> {"text": ..., "applied": [bool, ...]}
"use strict";
const DiffMatchPatch = require("diff-match-patch");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const dmp = new DiffMatchPatch();
  let answer;
  if (request.op === "make") {
    answer = { patch: dmp.patch_toText(dmp.patch_make(request.a, request.b)) };
  } else if (request.op === "apply") {
    const [text, applied] = dmp.patch_apply(dmp.patch_fromText(request.patch), request.text);
    answer = { text, applied };
  } else {
    throw new Error("unknown op " + request.op);
  }
  process.stdout.write(JSON.stringify(answer));
});
