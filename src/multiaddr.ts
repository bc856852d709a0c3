/**
 * Node endpoints as the NodeDirectory stores them (DESIGN §13): binary multiaddrs (multicodec codes
 * as unsigned varints, then each protocol's value), of one shape only:
 *
 *   host   `ip4` (4 bytes) | `ip6` (16 bytes) | `dns` / `dns4` / `dns6` (a one-byte length, 1–63, then
 *          letters, digits, '-' and '.')
 *   port   `tcp` | `udp` (2 bytes, big-endian)
 *   then   after `udp`: optionally `quic` or `quic-v1`;
 *          after `tcp`: optionally `tls`, then optionally `ws` or `wss`
 *
 * at most `MAX_ENDPOINT_BYTES` bytes; empty means "no endpoint". `checkEndpoint` repeats the
 * contract's `_checkEndpoint` step by step, so it accepts and refuses exactly what `setEndpoint` does
 * and names the same offset in `InvalidEndpoint(offset)`. `encodeMultiaddr` turns the text form
 * (`/ip4/203.0.113.7/udp/22025/quic-v1`) into those bytes and `decodeMultiaddr` turns them back.
 */
import { getBytes, hexlify, type BytesLike } from "ethers";

/** Longest endpoint the directory accepts (its `MAX_ENDPOINT_BYTES`). */
export const MAX_ENDPOINT_BYTES = 64;
/** Longest DNS name in an endpoint (a one-byte varint length). */
export const MAX_DNS_NAME_BYTES = 63;

/** The protocols the directory accepts, with their multicodec codes. */
export const MULTIADDR_CODES = {
  ip4: 0x04,
  tcp: 0x06,
  ip6: 0x29,
  dns: 0x35,
  dns4: 0x36,
  dns6: 0x37,
  udp: 0x0111,
  tls: 0x01c0,
  quic: 0x01cc,
  "quic-v1": 0x01cd,
  ws: 0x01dd,
  wss: 0x01de,
} as const;
export type MultiaddrProtocol = keyof typeof MULTIADDR_CODES;

// The two-byte varints as the contract compares them (big-endian reading of the two bytes).
const UDP2 = 0x9102;
const TLS2 = 0xc003;
const QUIC2 = 0xcc03;
const QUIC_V1_2 = 0xcd03;
const WS2 = 0xdd03;
const WSS2 = 0xde03;

/** The directory's verdict on an endpoint, with the contract's error and arguments when it refuses. */
export type EndpointCheck =
  | { ok: true }
  | { ok: false; error: "EndpointTooLong"; length: number; maxLength: number }
  | { ok: false; error: "InvalidEndpoint"; offset: number };

/** Text that is not a multiaddr of the accepted shape, or bytes the directory would refuse. */
export class InvalidMultiaddrError extends Error {
  constructor(
    message: string,
    /** The contract's verdict, when the failure is one the contract would also report. */
    readonly check?: EndpointCheck,
  ) {
    super(message);
    this.name = "InvalidMultiaddrError";
  }
}

function isNameByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || (c >= 0x41 && c <= 0x5a);
}

const code2 = (e: Uint8Array, i: number): number => (e[i] << 8) | e[i + 1];

/** Thrown inside the check: the contract's revert. */
class Refused {
  constructor(readonly verdict: EndpointCheck) {}
}
const invalid = (offset: number) => new Refused({ ok: false, error: "InvalidEndpoint", offset });

/** NodeDirectory._checkHost: the offset after the host. */
function checkHost(e: Uint8Array): number {
  const code = e[0];
  // An address cut short fails at its start.
  const fixed = code === MULTIADDR_CODES.ip4 ? 5 : code === MULTIADDR_CODES.ip6 ? 17 : 0;
  if (fixed !== 0) {
    if (e.length < fixed) throw invalid(0);
    return fixed;
  }
  const isDns = code === MULTIADDR_CODES.dns || code === MULTIADDR_CODES.dns4 || code === MULTIADDR_CODES.dns6;
  if (!isDns || e.length < 2) throw invalid(0);
  const nameLength = e[1];
  if (nameLength === 0 || nameLength > MAX_DNS_NAME_BYTES || 2 + nameLength > e.length) throw invalid(1);
  const end = 2 + nameLength;
  for (let j = 2; j < end; j++) if (!isNameByte(e[j])) throw invalid(j);
  return end;
}

/**
 * The directory's check of an endpoint, exactly as `NodeDirectory._checkEndpoint`: `{ ok: true }`, or
 * the custom error `setEndpoint` reverts with and its arguments.
 */
export function checkEndpoint(endpoint: BytesLike): EndpointCheck {
  const e = getBytes(endpoint);
  const length = e.length;
  if (length === 0) return { ok: true };
  if (length > MAX_ENDPOINT_BYTES) return { ok: false, error: "EndpointTooLong", length, maxLength: MAX_ENDPOINT_BYTES };
  try {
    let i = checkHost(e);
    if (i + 3 > length) throw invalid(i);
    if (e[i] === MULTIADDR_CODES.tcp) {
      i += 3;
      if (i + 2 <= length && code2(e, i) === TLS2) i += 2;
      if (i + 2 <= length) {
        const code = code2(e, i);
        if (code === WS2 || code === WSS2) i += 2;
      }
    } else {
      if (i + 4 > length || code2(e, i) !== UDP2) throw invalid(i);
      i += 4;
      if (i + 2 <= length) {
        const code = code2(e, i);
        if (code === QUIC2 || code === QUIC_V1_2) i += 2;
      }
    }
    if (i !== length) throw invalid(i);
    return { ok: true };
  } catch (err) {
    if (err instanceof Refused) return err.verdict;
    throw err;
  }
}

function describe(check: EndpointCheck): string {
  if (check.ok) return "accepted";
  return check.error === "EndpointTooLong"
    ? `EndpointTooLong(${check.length}, ${check.maxLength})`
    : `InvalidEndpoint(${check.offset})`;
}

/** Throws InvalidMultiaddrError unless the directory accepts `endpoint`. */
export function assertEndpoint(endpoint: BytesLike): void {
  const check = checkEndpoint(endpoint);
  if (!check.ok) throw new InvalidMultiaddrError(`the directory refuses endpoint ${hexlify(endpoint)}: ${describe(check)}`, check);
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function parseIp4(text: string): number[] {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new InvalidMultiaddrError(`invalid IPv4 address "${text}"`);
  }
  return parts.map(Number);
}

function parseIp6(text: string): number[] {
  const bad = () => new InvalidMultiaddrError(`invalid IPv6 address "${text}"`);
  let head = text;
  let tail4: number[] = [];
  // A trailing dotted quad (::ffff:192.0.2.1) stands for the last two groups.
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail4 = parseIp4(text.slice(lastColon + 1));
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) throw bad();
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) throw bad();
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  if (tail4.length) bytes.splice(12, 4, ...tail4);
  return bytes;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
function formatIp6(b: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, k) => (b[2 * k] << 8) | b[2 * k + 1]);
  let best = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let end = k;
    while (end < 8 && g[end] === 0) end++;
    if (end - k > bestLen) [best, bestLen] = [k, end - k];
    k = end;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

function parsePort(text: string | undefined): number[] {
  if (text === undefined || !/^(0|[1-9]\d{0,4})$/.test(text) || Number(text) > 0xffff) {
    throw new InvalidMultiaddrError(`invalid port "${text ?? ""}"`);
  }
  const v = Number(text);
  return [v >> 8, v & 0xff];
}

/**
 * The binary multiaddr of `text` (`/ip4/203.0.113.7/udp/22025/quic-v1`, `/dns4/n1.example/tcp/443/wss`,
 * `/ip6/2001:db8::1/tcp/443/tls/ws`), as a 0x-prefixed hex string. Throws InvalidMultiaddrError for a
 * protocol outside the accepted set or a shape the directory refuses; the empty string gives "0x"
 * (clears the endpoint).
 */
export function encodeMultiaddr(text: string): string {
  if (text === "") return "0x";
  if (!text.startsWith("/")) throw new InvalidMultiaddrError(`a multiaddr starts with "/": "${text}"`);
  const parts = text.slice(1).split("/");
  const out: number[] = [];
  for (let k = 0; k < parts.length; ) {
    const name = parts[k++];
    if (!Object.prototype.hasOwnProperty.call(MULTIADDR_CODES, name)) {
      throw new InvalidMultiaddrError(`protocol "${name}" is not one the directory accepts`);
    }
    const protocol = name as MultiaddrProtocol;
    out.push(...varint(MULTIADDR_CODES[protocol]));
    switch (protocol) {
      case "ip4":
        out.push(...parseIp4(parts[k++] ?? ""));
        break;
      case "ip6":
        out.push(...parseIp6(parts[k++] ?? ""));
        break;
      case "dns":
      case "dns4":
      case "dns6": {
        const host = parts[k++] ?? "";
        const bytes = Array.from(host, (c) => c.charCodeAt(0));
        if (bytes.length === 0 || bytes.length > MAX_DNS_NAME_BYTES || !bytes.every(isNameByte)) {
          throw new InvalidMultiaddrError(`invalid DNS name "${host}" (1 to ${MAX_DNS_NAME_BYTES} letters, digits, '-' and '.')`);
        }
        out.push(bytes.length, ...bytes);
        break;
      }
      case "tcp":
      case "udp":
        out.push(...parsePort(parts[k++]));
        break;
      default:
        break; // tls, quic, quic-v1, ws, wss carry no value
    }
  }
  const encoded = hexlify(new Uint8Array(out));
  const check = checkEndpoint(encoded);
  if (!check.ok) throw new InvalidMultiaddrError(`"${text}" is not an endpoint the directory accepts: ${describe(check)}`, check);
  return encoded;
}

const NAMES = new Map<number, MultiaddrProtocol>(Object.entries(MULTIADDR_CODES).map(([n, c]) => [c, n as MultiaddrProtocol]));

/**
 * The text form of a binary endpoint the directory accepts ("" for empty). Throws
 * InvalidMultiaddrError (with the contract's verdict) for bytes the directory would refuse.
 */
export function decodeMultiaddr(endpoint: BytesLike): string {
  const e = getBytes(endpoint);
  assertEndpoint(e);
  let text = "";
  let i = 0;
  while (i < e.length) {
    // Every accepted code is a one- or two-byte varint.
    const two = e[i] & 0x80;
    const code = two ? (e[i] & 0x7f) | (e[i + 1] << 7) : e[i];
    i += two ? 2 : 1;
    const name = NAMES.get(code)!;
    text += `/${name}`;
    if (name === "ip4") {
      text += `/${Array.from(e.subarray(i, i + 4)).join(".")}`;
      i += 4;
    } else if (name === "ip6") {
      text += `/${formatIp6(e.subarray(i, i + 16))}`;
      i += 16;
    } else if (name === "dns" || name === "dns4" || name === "dns6") {
      const n = e[i];
      text += `/${String.fromCharCode(...e.subarray(i + 1, i + 1 + n))}`;
      i += 1 + n;
    } else if (name === "tcp" || name === "udp") {
      text += `/${(e[i] << 8) | e[i + 1]}`;
      i += 2;
    }
  }
  return text;
}
