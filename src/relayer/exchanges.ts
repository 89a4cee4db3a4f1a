/**
 * Where a relayer gets its signature exchanges: one per destination bridge for handle batches, one per recovery
 * ledger for cancellations and refunds. The relayer asks for them here only, so a transport other than the shared
 * directory plugs in by giving `RelayerOptions.exchanges` its own `SignatureExchanges`.
 */
import type { TypedDataDomain } from "ethers";

import type { BatchSignature, RecoverySignature, SignatureExchange } from "./exchange.js";
import { RecoverySignatureDirectory } from "./recovery-directory.js";
import { SignatureDirectory } from "./signatures.js";

/** The signature exchanges of one operator's relayer, by the EIP-712 domain whose digests they carry. */
export interface SignatureExchanges {
  /** The handle batches of the bridge of `domain` (`bridgeDomain`). */
  batches(domain: TypedDataDomain): SignatureExchange<BatchSignature>;
  /** The cancellations and refunds of the recovery ledger of `domain` (`recoveryDomain`). */
  recoveries(domain: TypedDataDomain): SignatureExchange<RecoverySignature>;
}

/** The exchanges over the directory `signatureDir`, shared by the operators' relayers (one machine, or a shared disk). */
export function directoryExchanges(signatureDir: string): SignatureExchanges {
  return {
    batches: (domain) => new SignatureDirectory(signatureDir, domain),
    recoveries: (domain) => new RecoverySignatureDirectory(signatureDir, domain),
  };
}
