// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IModelRegistry
 * @notice Interface of {ModelRegistry}, the on-chain record of AI models governed by a DAO: its enums, the
 * structs its views return, its events and custom errors, and its external functions. Integrators who read the
 * registry, decode its events or explain its reverts need only this file.
 *
 * Each model (`org/name`, id `keccak256(bytes(name))`) has numbered versions (1, 2, 3... never reused); each
 * version records the binary CIDs of its artifact and of its manifest on IPFS, its contributor, when it was
 * added and the version it was built on. CIDs are passed and returned in binary form: CIDv1, a one-byte
 * multicodec (raw 0x55, dag-pb 0x70, ...) and a sha2-256 multihash, 36 bytes in all.
 */
interface IModelRegistry {
    /// @notice Lifecycle state of a model. `None` means the model does not exist. A suspension is separate (see
    /// {ModelView}): it applies to an active or a retired model alike and outlives a retirement.
    enum ModelStatus {
        None,
        Active,
        Retired
    }

    /// @notice State of a version, relative to its model's current version.
    enum VersionStatus {
        None,
        Current,
        Superseded,
        RolledBack
    }

    /// @notice A model as returned by the views.
    struct ModelView {
        bytes32 id;
        string name;
        ModelStatus status;
        bool suspended;
        uint32 currentVersion;
        uint32 latestVersion;
    }

    /// @notice A version as returned by the views.
    struct VersionView {
        uint32 number;
        VersionStatus status;
        bytes artifactCid;
        bytes manifestCid;
        address contributor;
        uint40 createdAt;
        uint32 parent;
    }

    /// @notice A model was registered under `name`, with id `keccak256(name)`.
    event ModelRegistered(bytes32 indexed modelId, string name);

    /// @notice A new version was added; it becomes current (see {CurrentVersionChanged}).
    event VersionPublished(
        bytes32 indexed modelId,
        uint32 indexed version,
        address indexed contributor,
        uint32 parent,
        bytes artifactCid,
        bytes manifestCid
    );

    /// @notice The current version changed: by a registration (previous 0), an upgrade or a rollback.
    event CurrentVersionChanged(bytes32 indexed modelId, uint32 indexed previous, uint32 indexed current);

    /// @notice A model was retired for good; its current version stays readable, and a suspension stays in force.
    event ModelRetired(bytes32 indexed modelId, uint32 indexed finalVersion, string reason);

    /// @notice A model was suspended: clients should not use it until it is unsuspended.
    event ModelSuspended(bytes32 indexed modelId, address indexed by, string reason);

    /// @notice A suspension was lifted.
    event ModelUnsuspended(bytes32 indexed modelId, address indexed by);

    /// @notice The guardian changed (zero address: no guardian).
    event GuardianChanged(address indexed previousGuardian, address indexed newGuardian);

    /// @notice The DAO started (`trusted`) or stopped trusting `evaluator`'s evaluations of its models.
    event EvaluatorSet(address indexed evaluator, bool trusted);

    /// @notice The DAO started (`trusted`) or stopped trusting the key whose fingerprint is `keyHash` to sign the
    /// versions of model `modelId` (OpenSSF model signing; the fingerprint is the SHA-256 of the key's PEM).
    event SignerSet(bytes32 indexed modelId, bytes32 indexed keyHash, bool trusted);

    /// @notice The DAO adopted the reward policy whose document hashes to `digest` (SHA-256), found at `uri`.
    event RewardPolicyAdopted(bytes32 indexed digest, string uri);

    /// @dev `name` is not `org/name` in lowercase letters, digits, `-`, `_` and `.`, at most 64 bytes.
    error ModelRegistryInvalidName(string name);

    /// @dev A model with this name already exists.
    error ModelRegistryModelExists(bytes32 modelId);

    /// @dev No model has this id.
    error ModelRegistryUnknownModel(bytes32 modelId);

    /// @dev The model has no such version.
    error ModelRegistryUnknownVersion(bytes32 modelId, uint32 version);

    /// @dev The model is retired and can no longer change.
    error ModelRegistryModelIsRetired(bytes32 modelId);

    /// @dev The model is already suspended.
    error ModelRegistryAlreadySuspended(bytes32 modelId);

    /// @dev The model is not suspended.
    error ModelRegistryNotSuspended(bytes32 modelId);

    /// @dev The DAO itself suspended the model: only the DAO (a vote) lifts that suspension, not the guardian.
    error ModelRegistryVotedSuspension(bytes32 modelId);

    /// @dev `cid` is not a 36-byte CIDv1 of raw or dag-pb content with a sha2-256 multihash.
    error ModelRegistryInvalidCid(bytes cid);

    /// @dev A version needs a contributor.
    error ModelRegistryInvalidContributor();

    /// @dev A rollback must go to an earlier version that was never rolled back.
    error ModelRegistryInvalidRollback(bytes32 modelId, uint32 currentVersion, uint32 targetVersion);

    /// @dev Only the owner or the guardian may do this.
    error ModelRegistryUnauthorized(address account);

    /// @dev An evaluator is an account: not the zero address.
    error ModelRegistryInvalidEvaluator();

    /// @dev `evaluator` is already trusted (`trusted`), or already not.
    error ModelRegistryEvaluatorUnchanged(address evaluator, bool trusted);

    /// @dev A signer key's fingerprint cannot be zero.
    error ModelRegistryInvalidSigner();

    /// @dev The key `keyHash` is already trusted (`trusted`) to sign model `modelId`'s versions, or already not.
    error ModelRegistrySignerUnchanged(bytes32 modelId, bytes32 keyHash, bool trusted);

    /// @dev A reward policy needs its document's digest and where to find it.
    error ModelRegistryInvalidRewardPolicy();

    /// @dev The DAO's description (EIP-4824) needs a URI.
    error ModelRegistryInvalidDaoURI();

    // ------------------------------------------------------------------ lifecycle (owner only)

    /**
     * @notice Registers model `name` with its version 1, which becomes current.
     * @param name `org/name`: lowercase letters, digits, `-`, `_`, `.`; at most 64 bytes.
     * @param artifactCid Binary CID of the artifact's root.
     * @param manifestCid Binary CID of the version's manifest.
     * @param contributor Who contributed this version.
     * @return modelId `keccak256(bytes(name))`.
     */
    function register(
        string calldata name,
        bytes calldata artifactCid,
        bytes calldata manifestCid,
        address contributor
    ) external returns (bytes32 modelId);

    /**
     * @notice Adds a new version of a model, built on its current version, and makes it current.
     * @param modelId Id of the model.
     * @param artifactCid Binary CID of the artifact's root.
     * @param manifestCid Binary CID of the version's manifest.
     * @param contributor Who contributed this version.
     * @return version The new version's number.
     */
    function upgrade(
        bytes32 modelId,
        bytes calldata artifactCid,
        bytes calldata manifestCid,
        address contributor
    ) external returns (uint32 version);

    /**
     * @notice Makes an earlier version current again; the version rolled back from is marked as such and
     * can never become current again.
     * @param modelId Id of the model.
     * @param targetVersion An earlier version that was never rolled back.
     */
    function rollback(bytes32 modelId, uint32 targetVersion) external;

    /**
     * @notice Retires a model for good: no version can be added or made current afterwards. A suspended model
     * stays suspended.
     * @param modelId Id of the model.
     * @param reason Why, in words (recorded in the {ModelRetired} event).
     */
    function retire(bytes32 modelId, string calldata reason) external;

    /**
     * @notice Sets the guardian allowed to suspend and unsuspend models; zero removes it.
     * @param newGuardian The new guardian, typically a multisig.
     */
    function setGuardian(address newGuardian) external;

    // ------------------------------------------------------------------ emergency (owner or guardian)

    /**
     * @notice Suspends a model, active or retired: clients should not use it until it is unsuspended. Versions,
     * the current version and the lifecycle status are untouched, and the suspension survives a retirement.
     * @param modelId Id of the model.
     * @param reason Why, in words (recorded in the {ModelSuspended} event).
     */
    function suspend(bytes32 modelId, string calldata reason) external;

    /**
     * @notice Lifts the suspension of a model (active or retired). The guardian may lift only a suspension it made:
     * one the DAO voted for is lifted by a vote.
     * @param modelId Id of the model.
     */
    function unsuspend(bytes32 modelId) external;

    // ------------------------------------------------------------------ evaluators (owner only)

    /**
     * @notice Trusts `evaluator`'s evaluations of the DAO's models, or stops trusting them. Anyone may attest an
     * evaluation; only those of trusted evaluators count, so this set changes by a vote alone.
     * @param evaluator The evaluator's account.
     * @param trusted Whether its evaluations count from now on.
     */
    function setEvaluator(address evaluator, bool trusted) external;

    /**
     * @notice Trusts the key with fingerprint `keyHash` to sign the versions of model `id`, or stops trusting
     * it. Clients check a version's signature offline against the keys trusted here, so the set changes by a vote
     * alone; a key stops counting for every version it signed once it is no longer trusted.
     * @param id Id of the model: `keccak256(bytes(name))`. It need not be registered yet, so that the proposal
     * registering a model can trust its signer, whichever order its calls are checked in.
     * @param keyHash SHA-256 of the signer's public key in PEM (the `hint` of an OpenSSF model signing bundle).
     * @param trusted Whether versions signed by the key count as signed from now on.
     */
    function setSigner(bytes32 id, bytes32 keyHash, bool trusted) external;

    /**
     * @notice Adopts a reward policy: the document (benchmarks, weights, tolerances, rates, caps) that says what
     * an accepted version earns. Rewards are proposed and voted as before; the policy lets anyone recompute them.
     * @param digest SHA-256 of the policy document.
     * @param uri Where the document is, e.g. `ipfs://CID`.
     */
    function setRewardPolicy(bytes32 digest, string calldata uri) external;

    /**
     * @notice Publishes where the DAO describes itself (EIP-4824's `daoURI`): a JSON-LD document naming its
     * members, proposals, activity log, governance and contracts, e.g. `ipfs://CID`. Emits `DAOURIUpdate`.
     * @param uri The document's URI; not empty.
     */
    function setDaoURI(string calldata uri) external;

    // ------------------------------------------------------------------ views

    /// @notice The guardian (zero address if none).
    function guardian() external view returns (address);

    /// @notice Whether `evaluator`'s evaluations count.
    function isEvaluator(address evaluator) external view returns (bool);

    /// @notice Every trusted evaluator (in no particular order).
    function evaluators() external view returns (address[] memory);

    /// @notice Whether the key with fingerprint `keyHash` is trusted to sign model `id`'s versions.
    function isSigner(bytes32 id, bytes32 keyHash) external view returns (bool);

    /// @notice The fingerprints of every key trusted to sign model `id`'s versions (in no particular order).
    function signers(bytes32 id) external view returns (bytes32[] memory);

    /// @notice The adopted reward policy's digest and location (zero and empty before any).
    function rewardPolicy() external view returns (bytes32 digest, string memory uri);

    /// @notice The id of model `name`: `keccak256(bytes(name))`.
    function modelId(string calldata name) external pure returns (bytes32);

    /// @notice Number of models ever registered (retired ones included).
    function modelCount() external view returns (uint256);

    /// @notice A model by id. Reverts if it does not exist.
    function getModel(bytes32 id) external view returns (ModelView memory);

    /**
     * @notice Models in registration order, from `offset`, at most `limit` of them.
     * @param offset Index of the first model (0-based).
     * @param limit Maximum number of models returned.
     */
    function getModels(uint256 offset, uint256 limit) external view returns (ModelView[] memory page);

    /// @notice One version of a model. Reverts if the model or version does not exist.
    function getVersion(bytes32 id, uint32 version) external view returns (VersionView memory);

    /// @notice The current version of a model. Reverts if the model does not exist.
    function getCurrentVersion(bytes32 id) external view returns (VersionView memory);

    /**
     * @notice Versions of a model in order (1, 2, ...), starting at version `offset + 1`, at most `limit`.
     * @param id Id of the model.
     * @param offset Number of versions to skip.
     * @param limit Maximum number of versions returned.
     */
    function getVersions(bytes32 id, uint256 offset, uint256 limit) external view returns (VersionView[] memory page);
}
