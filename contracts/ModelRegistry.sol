// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IERC4824} from "./IERC4824.sol";
import {IModelRegistry} from "./IModelRegistry.sol";

/**
 * @title ModelRegistry
 * @notice The on-chain record of AI models governed by a DAO. Each model (`org/name`) has numbered versions
 * (1, 2, 3... never reused); each version records the content identifiers (CIDs) of its artifact and of its
 * manifest on IPFS, its contributor, when it was added and the version it was built on. The enums, view
 * structs, events and errors are declared in {IModelRegistry}.
 *
 * The owner (the DAO's timelock) alone registers, upgrades, rolls back and retires models, so every version
 * was accepted by a vote. An optional guardian may only suspend and unsuspend a model in an emergency; a
 * suspension is independent of the lifecycle status, so retiring a model does not lift it.
 *
 * Which vote approved a version: the registry is called by the timelock while it executes the proposal's
 * operation, so the {VersionPublished} event and the timelock's `CallExecuted` event for that call share one
 * transaction; `CallExecuted` names the timelock operation id. The governor's `queue` scheduled that
 * operation: the timelock's `CallScheduled` event with the same id shares a transaction with the governor's
 * `ProposalQueued`, which names the proposal. The operation id is a hash of the proposal's calls and of a salt
 * derived from its description, so recomputing it from the proposal's `ProposalCreated` event proves that the
 * calls executed are the ones voted on. This holds however the operation was executed: through the governor's
 * `execute` (which also emits `ProposalExecuted`) or directly on the timelock (which emits no
 * `ProposalExecuted`).
 *
 * CIDs are passed and returned in binary form: CIDv1, the codec of UnixFS content (raw 0x55 or dag-pb 0x70, what
 * IPIP-499 CIDs use) and a sha2-256 multihash, 36 bytes in all. Only the codec and the 32-byte digest are stored.
 * Other codecs (identity, which inlines data in the CID, or a multihash code written as a codec) are refused: no
 * client could fetch and verify content under them.
 *
 * The registry also describes the DAO to the tools that index DAOs (EIP-4824): the DAO votes the URI of its
 * JSON-LD description into {daoURI}, and the registry answers ERC-165 for {IERC4824}.
 */
contract ModelRegistry is IModelRegistry, IERC4824, Ownable, ERC165 {
    using EnumerableSet for EnumerableSet.AddressSet;
    using EnumerableSet for EnumerableSet.Bytes32Set;

    /// @dev One storage slot per model.
    struct Model {
        uint32 currentVersion;
        uint32 latestVersion;
        uint32 index; // position of the name in `_names`
        ModelStatus status;
        bool suspended;
        bool suspendedByOwner; // the DAO's own suspension, which the guardian may not lift
    }

    /// @dev Three storage slots per version: two digests, then everything else packed in one slot.
    struct Version {
        bytes32 artifactDigest;
        bytes32 manifestDigest;
        address contributor;
        uint40 createdAt;
        uint32 parent;
        uint8 artifactCodec;
        uint8 manifestCodec;
        bool rolledBack;
    }

    uint256 private constant _CID_LENGTH = 36;
    bytes1 private constant _RAW = 0x55; // multicodec of a raw block
    bytes1 private constant _DAG_PB = 0x70; // multicodec of a UnixFS (dag-pb) node
    uint256 private constant _MAX_NAME_LENGTH = 64;
    /// @dev Bitmap of the bytes a name part may start with: `0-9` (0x30-0x39) and `a-z` (0x61-0x7a).
    uint256 private constant _NAME_START_CHARS = (((1 << 10) - 1) << 0x30) | (((1 << 26) - 1) << 0x61);
    /// @dev Bitmap of the bytes allowed inside a part: the above plus `-` (0x2d), `.` (0x2e) and `_` (0x5f).
    uint256 private constant _NAME_CHARS = _NAME_START_CHARS | (1 << 0x2d) | (1 << 0x2e) | (1 << 0x5f);

    address private _guardian;
    string[] private _names;
    mapping(bytes32 modelId => Model) private _models;
    mapping(bytes32 modelId => mapping(uint256 version => Version)) private _versions;
    EnumerableSet.AddressSet private _evaluators;
    mapping(bytes32 modelId => EnumerableSet.Bytes32Set) private _signers;
    bytes32 private _policyDigest;
    string private _policyUri;
    string private _daoUri;

    modifier onlyOwnerOrGuardian() {
        if (msg.sender != owner() && msg.sender != _guardian) {
            revert ModelRegistryUnauthorized(msg.sender);
        }
        _;
    }

    /**
     * @param owner_ The DAO's timelock.
     * @param guardian_ Emergency guardian allowed to suspend and unsuspend models (zero for none).
     */
    constructor(address owner_, address guardian_) Ownable(owner_) {
        _setGuardian(guardian_);
    }

    // ------------------------------------------------------------------ lifecycle (owner only)

    /// @inheritdoc IModelRegistry
    function register(
        string calldata name,
        bytes calldata artifactCid,
        bytes calldata manifestCid,
        address contributor
    ) external onlyOwner returns (bytes32 modelId) {
        _validateName(name);
        modelId = keccak256(bytes(name));
        if (_models[modelId].status != ModelStatus.None) revert ModelRegistryModelExists(modelId);

        // Field by field: the slot is still zero (a model is only ever suspended once it exists), so `suspended`
        // needs no write, which a struct literal would spend gas on.
        Model storage model = _models[modelId];
        model.currentVersion = 1;
        model.latestVersion = 1;
        model.index = uint32(_names.length);
        model.status = ModelStatus.Active;
        _names.push(name);
        emit ModelRegistered(modelId, name);
        _addVersion(modelId, 1, 0, artifactCid, manifestCid, contributor);
        emit CurrentVersionChanged(modelId, 0, 1);
    }

    /// @inheritdoc IModelRegistry
    function upgrade(
        bytes32 modelId,
        bytes calldata artifactCid,
        bytes calldata manifestCid,
        address contributor
    ) external onlyOwner returns (uint32 version) {
        Model storage model = _changeableModel(modelId);
        uint32 previous = model.currentVersion;
        version = model.latestVersion + 1;
        model.latestVersion = version;
        model.currentVersion = version;
        _addVersion(modelId, version, previous, artifactCid, manifestCid, contributor);
        emit CurrentVersionChanged(modelId, previous, version);
    }

    /// @inheritdoc IModelRegistry
    function rollback(bytes32 modelId, uint32 targetVersion) external onlyOwner {
        Model storage model = _changeableModel(modelId);
        uint32 previous = model.currentVersion;
        if (targetVersion == 0 || targetVersion >= previous || _versions[modelId][targetVersion].rolledBack) {
            revert ModelRegistryInvalidRollback(modelId, previous, targetVersion);
        }
        _versions[modelId][previous].rolledBack = true;
        model.currentVersion = targetVersion;
        emit CurrentVersionChanged(modelId, previous, targetVersion);
    }

    /// @inheritdoc IModelRegistry
    function retire(bytes32 modelId, string calldata reason) external onlyOwner {
        Model storage model = _changeableModel(modelId);
        model.status = ModelStatus.Retired;
        emit ModelRetired(modelId, model.currentVersion, reason);
    }

    /// @inheritdoc IModelRegistry
    function setGuardian(address newGuardian) external onlyOwner {
        _setGuardian(newGuardian);
    }

    // ------------------------------------------------------------------ evaluators (owner only)

    /// @inheritdoc IModelRegistry
    function setEvaluator(address evaluator, bool trusted) external onlyOwner {
        if (evaluator == address(0)) revert ModelRegistryInvalidEvaluator();
        bool changed = trusted ? _evaluators.add(evaluator) : _evaluators.remove(evaluator);
        if (!changed) revert ModelRegistryEvaluatorUnchanged(evaluator, trusted);
        emit EvaluatorSet(evaluator, trusted);
    }

    // ------------------------------------------------------------------ signers (owner only)

    /// @inheritdoc IModelRegistry
    function setSigner(bytes32 id, bytes32 keyHash, bool trusted) external onlyOwner {
        if (keyHash == bytes32(0)) revert ModelRegistryInvalidSigner();
        bool changed = trusted ? _signers[id].add(keyHash) : _signers[id].remove(keyHash);
        if (!changed) revert ModelRegistrySignerUnchanged(id, keyHash, trusted);
        emit SignerSet(id, keyHash, trusted);
    }

    /// @inheritdoc IModelRegistry
    function setRewardPolicy(bytes32 digest, string calldata uri) external onlyOwner {
        if (digest == bytes32(0) || bytes(uri).length == 0) revert ModelRegistryInvalidRewardPolicy();
        _policyDigest = digest;
        _policyUri = uri;
        emit RewardPolicyAdopted(digest, uri);
    }

    // ------------------------------------------------------------------ EIP-4824 (owner only)

    /// @inheritdoc IModelRegistry
    function setDaoURI(string calldata uri) external onlyOwner {
        if (bytes(uri).length == 0) revert ModelRegistryInvalidDaoURI();
        _daoUri = uri;
        emit DAOURIUpdate(address(this), uri);
    }

    /// @inheritdoc IERC4824
    function daoURI() external view returns (string memory) {
        return _daoUri;
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IERC4824).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ emergency (owner or guardian)

    /// @inheritdoc IModelRegistry
    function suspend(bytes32 modelId, string calldata reason) external onlyOwnerOrGuardian {
        Model storage model = _existingModel(modelId);
        if (model.suspended) revert ModelRegistryAlreadySuspended(modelId);
        model.suspended = true;
        model.suspendedByOwner = msg.sender == owner();
        emit ModelSuspended(modelId, msg.sender, reason);
    }

    /// @inheritdoc IModelRegistry
    function unsuspend(bytes32 modelId) external onlyOwnerOrGuardian {
        Model storage model = _existingModel(modelId);
        if (!model.suspended) revert ModelRegistryNotSuspended(modelId);
        if (model.suspendedByOwner && msg.sender != owner()) revert ModelRegistryVotedSuspension(modelId);
        model.suspended = false;
        model.suspendedByOwner = false;
        emit ModelUnsuspended(modelId, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IModelRegistry
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @inheritdoc IModelRegistry
    function isEvaluator(address evaluator) external view returns (bool) {
        return _evaluators.contains(evaluator);
    }

    /// @inheritdoc IModelRegistry
    function evaluators() external view returns (address[] memory) {
        return _evaluators.values();
    }

    /// @inheritdoc IModelRegistry
    function isSigner(bytes32 id, bytes32 keyHash) external view returns (bool) {
        return _signers[id].contains(keyHash);
    }

    /// @inheritdoc IModelRegistry
    function signers(bytes32 id) external view returns (bytes32[] memory) {
        return _signers[id].values();
    }

    /// @inheritdoc IModelRegistry
    function rewardPolicy() external view returns (bytes32 digest, string memory uri) {
        return (_policyDigest, _policyUri);
    }

    /// @inheritdoc IModelRegistry
    function modelId(string calldata name) external pure returns (bytes32) {
        return keccak256(bytes(name));
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _names.length;
    }

    /// @inheritdoc IModelRegistry
    function getModel(bytes32 id) external view returns (ModelView memory) {
        _existingModel(id);
        return _modelView(id);
    }

    /// @inheritdoc IModelRegistry
    function getModels(uint256 offset, uint256 limit) external view returns (ModelView[] memory page) {
        uint256 end = _pageEnd(offset, limit, _names.length);
        page = new ModelView[](end > offset ? end - offset : 0);
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = _modelView(keccak256(bytes(_names[i])));
        }
    }

    /// @inheritdoc IModelRegistry
    function getVersion(bytes32 id, uint32 version) external view returns (VersionView memory) {
        Model storage model = _existingModel(id);
        if (version == 0 || version > model.latestVersion) revert ModelRegistryUnknownVersion(id, version);
        return _versionView(id, model, version);
    }

    /// @inheritdoc IModelRegistry
    function getCurrentVersion(bytes32 id) external view returns (VersionView memory) {
        Model storage model = _existingModel(id);
        return _versionView(id, model, model.currentVersion);
    }

    /// @inheritdoc IModelRegistry
    function getVersions(bytes32 id, uint256 offset, uint256 limit) external view returns (VersionView[] memory page) {
        Model storage model = _existingModel(id);
        uint256 end = _pageEnd(offset, limit, model.latestVersion);
        page = new VersionView[](end > offset ? end - offset : 0);
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = _versionView(id, model, uint32(i + 1));
        }
    }

    // ------------------------------------------------------------------ internals

    function _addVersion(
        bytes32 id,
        uint32 version,
        uint32 parent,
        bytes calldata artifactCid,
        bytes calldata manifestCid,
        address contributor
    ) private {
        if (contributor == address(0)) revert ModelRegistryInvalidContributor();
        (uint8 artifactCodec, bytes32 artifactDigest) = _parseCid(artifactCid);
        (uint8 manifestCodec, bytes32 manifestDigest) = _parseCid(manifestCid);
        _versions[id][version] = Version({
            artifactDigest: artifactDigest,
            manifestDigest: manifestDigest,
            contributor: contributor,
            createdAt: uint40(block.timestamp),
            parent: parent,
            artifactCodec: artifactCodec,
            manifestCodec: manifestCodec,
            rolledBack: false
        });
        emit VersionPublished(id, version, contributor, parent, artifactCid, manifestCid);
    }

    function _existingModel(bytes32 id) private view returns (Model storage model) {
        model = _models[id];
        if (model.status == ModelStatus.None) revert ModelRegistryUnknownModel(id);
    }

    function _changeableModel(bytes32 id) private view returns (Model storage model) {
        model = _existingModel(id);
        if (model.status == ModelStatus.Retired) revert ModelRegistryModelIsRetired(id);
    }

    function _modelView(bytes32 id) private view returns (ModelView memory) {
        Model storage model = _models[id];
        return
            ModelView({
                id: id,
                name: _names[model.index],
                status: model.status,
                suspended: model.suspended,
                currentVersion: model.currentVersion,
                latestVersion: model.latestVersion
            });
    }

    function _versionView(bytes32 id, Model storage model, uint32 number) private view returns (VersionView memory) {
        Version storage v = _versions[id][number];
        VersionStatus status;
        if (number == model.currentVersion) status = VersionStatus.Current;
        else if (v.rolledBack) status = VersionStatus.RolledBack;
        else status = VersionStatus.Superseded;
        return
            VersionView({
                number: number,
                status: status,
                artifactCid: _encodeCid(v.artifactCodec, v.artifactDigest),
                manifestCid: _encodeCid(v.manifestCodec, v.manifestDigest),
                contributor: v.contributor,
                createdAt: v.createdAt,
                parent: v.parent
            });
    }

    function _setGuardian(address newGuardian) private {
        emit GuardianChanged(_guardian, newGuardian);
        _guardian = newGuardian;
    }

    /// @dev CIDv1 (0x01), raw (0x55) or dag-pb (0x70), sha2-256 (0x12) of 32 bytes (0x20).
    function _parseCid(bytes calldata cid) private pure returns (uint8 codec, bytes32 digest) {
        if (
            cid.length != _CID_LENGTH ||
            cid[0] != 0x01 ||
            (cid[1] != _RAW && cid[1] != _DAG_PB) ||
            cid[2] != 0x12 ||
            cid[3] != 0x20
        ) {
            revert ModelRegistryInvalidCid(cid);
        }
        return (uint8(cid[1]), bytes32(cid[4:36]));
    }

    function _encodeCid(uint8 codec, bytes32 digest) private pure returns (bytes memory) {
        return abi.encodePacked(uint8(0x01), codec, uint8(0x12), uint8(0x20), digest);
    }

    /// @dev `org/name`, each part 1+ of [a-z0-9._-] starting with a letter or digit, 64 bytes at most.
    /// Characters are checked against bitmaps (bit `c` set when byte `c` is allowed): ~4x cheaper than comparisons.
    function _validateName(string calldata name) private pure {
        bytes calldata b = bytes(name);
        uint256 length = b.length;
        bool valid = length <= _MAX_NAME_LENGTH;
        bool partStart = true;
        uint256 slashes = 0;
        for (uint256 i = 0; valid && i < length; ) {
            uint256 c = uint8(b[i]);
            if (c == 0x2f) {
                valid = !partStart;
                partStart = true;
                ++slashes;
            } else {
                valid = ((partStart ? _NAME_START_CHARS : _NAME_CHARS) >> c) & 1 == 1;
                partStart = false;
            }
            unchecked {
                ++i;
            }
        }
        if (!valid || slashes != 1 || partStart) revert ModelRegistryInvalidName(name);
    }

    function _pageEnd(uint256 offset, uint256 limit, uint256 total) private pure returns (uint256) {
        if (offset >= total) return offset;
        return limit > total - offset ? total : offset + limit;
    }
}
