// Per-network settings the bridge toolkit reads from the user's network config.
import "hardhat/types/config";

declare module "hardhat/types/config" {
  interface HttpNetworkUserConfig {
    /** Blocks to wait after a transaction is mined before the next step (default 1: mined is enough). */
    confirmations?: number;
  }
  interface EdrNetworkUserConfig {
    /** Blocks to wait after a transaction is mined before the next step (default 1). */
    confirmations?: number;
  }
}
