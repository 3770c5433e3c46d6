#!/usr/bin/env bash
# Installs what the test suite needs, idempotently. Called by `make test`.
# Each later feature adds the Debian or npm packages its real-server tests start.
set -euo pipefail

# Debian packages the tests start as real servers on loopback, and the browser the UI tests drive (Playwright with
# ExecutablePath: Playwright's own browser download is never used).
APT_PACKAGES=(
  git
  postgresql
  docker-registry
  nginx
  fcgiwrap
  chromium
)

# kubectl (with its built-in kustomize) builds every rendered tenant folder. The machine image ships a current one;
# where it is missing, Debian's kubernetes-client is the fallback.
command -v kubectl >/dev/null 2>&1 || APT_PACKAGES+=(kubernetes-client)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "test-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# s3rver: a real S3-compatible server (npm) that the bucket tests talk to through the Minio SDK. Node comes from
# Debian where the machine has none.
S3RVER_VERSION=3.7.1
if ! command -v s3rver >/dev/null 2>&1 || [[ "$(s3rver --version 2>/dev/null)" != "$S3RVER_VERSION" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  echo "test-deps: installing s3rver@$S3RVER_VERSION"
  SUDO=""
  [[ $(id -u) -ne 0 && ! -w "$(npm prefix -g)" ]] && SUDO="sudo"
  $SUDO npm install -g --no-fund --no-audit --loglevel=error "s3rver@$S3RVER_VERSION" >/dev/null
fi

echo "test-deps: ready"
