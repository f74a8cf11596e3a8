#!/usr/bin/env bash
# Install the system packages the build needs, where they are missing.
#   scripts/setup_system.sh          build: CJK fonts (and the 公文 font substitutes), Pango/HarfBuzz for PDF, poppler
#   scripts/setup_system.sh --test   also what the tests need (Debian's chromium)
# On Debian/Ubuntu as root this uses apt-get; elsewhere it prints what to install
# and fails if the one thing nothing can do without (a CJK font) is missing.
set -euo pipefail

packages=(fonts-noto-cjk fonts-arphic-ukai libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fontconfig)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
  done
fi

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these system packages are missing: ${missing[*]}" >&2
    echo "setup: install them with your package manager (Debian/Ubuntu: sudo apt-get install ${missing[*]})." >&2
    echo "setup: on macOS: brew install pango poppler && install the 'Noto Sans CJK SC' font." >&2
  fi
fi

if command -v fc-list >/dev/null 2>&1; then
  if [[ -z "$(fc-list ':lang=zh-cn' family 2>/dev/null)" ]]; then
    echo "setup: ERROR: no font with Chinese glyphs found (fc-list :lang=zh-cn is empty)." >&2
    echo "setup: install fonts-noto-cjk (Debian/Ubuntu) or Noto Sans CJK SC, then run again." >&2
    exit 1
  fi
fi
# The official 公文 font names used in the Word reports → their open substitutes (where we may write).
conf="$(dirname "$0")/../config/fontconfig/65-key-tasks-gongwen.conf"
if [[ -d /etc/fonts/conf.d && -w /etc/fonts/conf.d ]] && ! cmp -s "$conf" /etc/fonts/conf.d/65-key-tasks-gongwen.conf; then
  cp "$conf" /etc/fonts/conf.d/65-key-tasks-gongwen.conf && fc-cache -f >/dev/null 2>&1 || true
fi
echo "setup: system packages OK"
