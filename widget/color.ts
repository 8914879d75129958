/** A site's `data-color` is only used when the browser accepts it as a colour. */

/** Returns the value when it is a CSS colour, else undefined. */
export function validColor(
  value: string | null | undefined,
  supports: (property: string, value: string) => boolean = (p, v) => CSS.supports(p, v),
): string | undefined {
  const colour = value?.trim();
  return colour && !/[;{}]/.test(colour) && supports('color', colour) ? colour : undefined;
}
