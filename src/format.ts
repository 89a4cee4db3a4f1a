/**
 * Addresses and hashes as people read them in a line of output: `0x3f13…a102` (the first and last four hex digits).
 * Machine output (`--json`, the deployments record, error lines a user acts on) keeps them whole.
 */

const LONG_HEX = /\b0x(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40})\b/g;

/** `0x3f13…a102` for an address or a 32-byte hash; anything else as it is. */
export function short(value: string): string {
  return /^0x(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40})$/.test(value) ? `${value.slice(0, 6)}…${value.slice(-4)}` : value;
}

/** `line` with every address and 32-byte hash in it shortened. */
export function shortenHex(line: string): string {
  return line.replace(LONG_HEX, (match) => short(match));
}
