// Helpers shared by the room page and the set-up page: building elements with text only (room
// data is never parsed as markup), number formatting and file downloads.
"use strict";

/** An element with attributes and children; strings become text nodes, never markup. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
}

/** Empties an element and fills it with `children`. */
function fill(node, ...children) {
  node.replaceChildren();
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

function $(id) { return document.getElementById(id); }

/** A utility as a number with two decimals (or a dash). */
function fmtU(x) { return (typeof x === "number" && isFinite(x)) ? x.toFixed(2) : "–"; }

/** Offers a text as a file download. */
function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type: type || "application/octet-stream"}));
  const a = el("a", {href: url, download: name});
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
