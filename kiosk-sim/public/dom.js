// Typed look-ups of the page's own elements. A wrong id, a missing element or one of another kind
// throws an Error that names it, instead of failing later as "cannot read properties of null".

/**
 * @overload
 * @param {string} id
 * @returns {HTMLElement}
 */
/**
 * @template {HTMLElement} T
 * @overload
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
/**
 * The element with id `id`, checked to be a `type` (`HTMLInputElement`, `HTMLButtonElement`,
 * `HTMLDialogElement`, `HTMLTableElement`…; any HTML element when left out).
 * @param {string} id
 * @param {new () => HTMLElement} [type]
 * @returns {HTMLElement}
 */
export function byId(id, type = HTMLElement) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id}: no such element on this page`);
  const tag = node.localName;
  if (!(node instanceof type)) throw new Error(`#${id} is a <${tag}>, not an ${type.name}`);
  return node;
}

/**
 * @overload
 * @param {string} selector
 * @returns {HTMLElement}
 */
/**
 * @template {HTMLElement} T
 * @overload
 * @param {string} selector
 * @param {new () => T} type
 * @param {ParentNode} [root]
 * @returns {T}
 */
/**
 * The first element under `root` (the document when left out) that matches `selector`, checked
 * like {@link byId}.
 * @param {string} selector
 * @param {new () => HTMLElement} [type]
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export function query(selector, type = HTMLElement, root = document) {
  const node = root.querySelector(selector);
  if (!node) throw new Error(`${selector}: no such element on this page`);
  const tag = node.localName;
  if (!(node instanceof type)) throw new Error(`${selector} is a <${tag}>, not an ${type.name}`);
  return node;
}
