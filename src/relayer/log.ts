/**
 * One log line per action: `time operator action key=value ...` for people, or one JSON object per line (`--json`).
 */
import { shortenHex } from "../format.js";

export type LogLevel = "info" | "warn" | "error";

export type LogFields = Record<string, string | number | bigint | boolean | null | undefined>;

/** Receives every action of the relayer. */
export interface RelayerLogger {
  log(level: LogLevel, action: string, fields?: LogFields): void;
}

/** Logs nothing (tests that only look at the chain). */
export const silentLogger: RelayerLogger = { log() {} };

function plain(value: LogFields[string]): string | number | boolean | null {
  if (value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * A logger writing one line per action to `write` (stdout by default): for people, addresses and hashes shortened
 * (`0x3f13…a102`); JSON lines, with every value whole, when `json`.
 */
export function lineLogger(
  options: { json?: boolean; label?: string; write?: (line: string) => void } = {},
): RelayerLogger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return {
    log(level, action, fields = {}) {
      const time = new Date().toISOString();
      if (options.json === true) {
        const record: Record<string, unknown> = { time, level, action };
        if (options.label !== undefined) record.relayer = options.label;
        for (const [key, value] of Object.entries(fields)) if (value !== undefined) record[key] = plain(value);
        write(JSON.stringify(record));
        return;
      }
      const parts = [time];
      if (options.label !== undefined) parts.push(`[${options.label}]`);
      parts.push(level === "info" ? action : `${level.toUpperCase()} ${action}`);
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        const text = shortenHex(String(plain(value)));
        parts.push(`${key}=${/\s/.test(text) ? JSON.stringify(text) : text}`);
      }
      write(parts.join(" "));
    },
  };
}

/** A logger keeping every record in memory (tests assert on it). */
export function memoryLogger(): RelayerLogger & { records: { level: LogLevel; action: string; fields: LogFields }[] } {
  const records: { level: LogLevel; action: string; fields: LogFields }[] = [];
  return {
    records,
    log(level, action, fields = {}) {
      records.push({ level, action, fields });
    },
  };
}

/**
 * A reporter of refused peer files that logs each (file, reason) once: a bad file stays in a shared directory and is
 * met again at every step, and one line about it is enough. Remembers at most `max` of them.
 */
export function badFileReporter(log: RelayerLogger, max = 10_000): (file: string, reason: string) => void {
  const reported = new Set<string>();
  return (file, reason) => {
    const key = `${file}\n${reason}`;
    if (reported.has(key)) return;
    if (reported.size >= max) reported.clear();
    reported.add(key);
    log.log("warn", "bad-signature-file", { file, reason });
  };
}
