// Per-network settings the bridge toolkit reads from the user's network config.
import "hardhat/types/config";

declare module "hardhat/types/config" {
  interface HttpNetworkUserConfig {
    /** Blocks to wait after a transaction is mined before the next step (default 1: mined is enough). */
    confirmations?: number;
    /**
     * Why the network's signing key from the environment was not configured (a value that is not a private key): the
     * tasks refuse the network with this line rather than sign with the node's accounts.
     */
    keyError?: string;
  }
  interface EdrNetworkUserConfig {
    /** Blocks to wait after a transaction is mined before the next step (default 1). */
    confirmations?: number;
  }
}
