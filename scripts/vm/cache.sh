# scripts/vm/cache.sh — where scripts/vm/setup keeps a kernel's boot files and where
# scripts/vm/run finds them (sourced by both; see the cache layout in setup).

CACHE=${LVMSYNC_VM_CACHE:-/var/cache/lvmsync-java-vm}
# What scripts/vm/run boots unless told: Debian 12's default kernel line (6.1)
VM_DEFAULT_KERNEL=linux-image-amd64
# The lines scripts/test tests and scripts/vm/setup prepares unless told: 6.1 and 6.12 LTS
VM_KERNEL_LINES="linux-image-amd64 linux-image-6.12-amd64"
VM_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The versioned kernel package of $1: what the line $1 resolved to, else $1 itself.
vm_kernel_package() {
  if [[ -s $CACHE/lines/$1 ]]; then head -n 1 "$CACHE/lines/$1"; else echo "$1"; fi
}

# The directory of the boot files of versioned package $1 built by this harness version.
vm_boot_dir() {
  local build
  build=$({ cat "$VM_HERE/init" "$VM_HERE/setup" "$VM_HERE/cache.sh"; echo "$1"; } | sha256sum | cut -c1-16)
  echo "$CACHE/$1/$build"
}
