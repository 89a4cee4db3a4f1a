/**
 * Where a relayer gets its signature transports: one `ExchangeWiring`, given as `RelayerOptions.exchange`. The
 * directory shared by the operators' relayers (one machine, or a shared disk) is `directoryWiring`; the signature
 * board on the child chain is `boardWiring` (`board-exchange.ts`).
 */
import { RecoverySignatureDirectory } from "./recovery-directory.js";
import type { ExchangeWiring } from "./exchange.js";
import { SignatureDirectory } from "./signatures.js";

/** The exchanges over the directory `signatureDir`: batches and recovery approvals (anchors: `Anchorer`'s own). */
export function directoryWiring(signatureDir: string): ExchangeWiring {
  return {
    name: "dir",
    batches: ({ domain }) => new SignatureDirectory(signatureDir, domain),
    recovery: ({ domain }) => new RecoverySignatureDirectory(signatureDir, domain),
  };
}
