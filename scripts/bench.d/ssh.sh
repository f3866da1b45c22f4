# scripts/bench ssh [--size MIB] [--rounds R] [--cipher C]
# Dense changes over ssh: the sender's stream (1 GiB, every chunk changed) piped into
# `ssh HOST 'cat > /dev/null'`, against `dd iflag=direct bs=4M` of the same bytes into
# the same ssh, with the same cipher (default aes128-gcm@openssh.com), and zeros from
# memory into the same ssh (no disk at all: ssh's own ceiling here). dd reads and writes
# in turn, so it leaves the disk idle while ssh encrypts; the sender reads ahead. HOST is a private sshd
# started here on 127.0.0.1 (its own host key and one client key, in a temporary
# directory; stopped at the end) — as root, since it runs sshd. Interleaved, medians.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
size=1024 rounds=3 cipher=aes128-gcm@openssh.com
while (($#)); do
    case $1 in --size) size=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;; --cipher) cipher=$2; shift 2 ;; *) exit 2 ;; esac
done
(( EUID == 0 )) || { echo "ssh: runs its own sshd: run as root" >&2; exit 1; }
need ssh openssh-client
[[ -x /usr/sbin/sshd ]] || need sshd openssh-server
origin=$work/dense.origin cow=$work/ssh.cow
[[ -f $origin && $(stat -c %s "$origin") == $(( size << 20 )) ]] || bench_tool fill "$origin" "$size"
bench_tool cow sequential $(( size * 256 )) "$cow" "$work/ssh.unused"
rm -f "$work/ssh.unused"
keys=$(mktemp -d)
port=22$(( RANDOM % 900 + 100 ))
ssh-keygen -q -t ed25519 -N '' -f "$keys/host"
ssh-keygen -q -t ed25519 -N '' -f "$keys/client"
cp "$keys/client.pub" "$keys/authorized_keys"
mkdir -p /run/sshd
cat > "$keys/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $keys/host
PidFile $keys/sshd.pid
AuthorizedKeysFile $keys/authorized_keys
PermitRootLogin yes
PasswordAuthentication no
UsePAM no
StrictModes no
CONF
/usr/sbin/sshd -f "$keys/sshd_config"
trap 'kill "$(cat "$keys/sshd.pid")" 2> /dev/null; rm -rf "$keys"' EXIT
sshto=(ssh -q -p "$port" -i "$keys/client" -c "$cipher" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1)
for i in 1 2 3 4 5 6 7 8 9 10; do "${sshto[@]}" true 2> /dev/null && break; sleep 0.3; done
raw=$out/ssh.raw
: > "$raw"
ours() { bench_tool send "$cow" "$origin" --stdout 2> "$work/ssh.err" | "${sshto[@]}" 'cat > /dev/null'; }
dd_ssh() { dd if="$origin" iflag=direct bs=4M status=none | "${sshto[@]}" 'cat > /dev/null'; }
zero_ssh() { head -c $(( size << 20 )) /dev/zero | "${sshto[@]}" 'cat > /dev/null'; }
for r in $(seq 1 "$rounds"); do
    drop_cache "$origin"
    printf 'ours\t%s\n' "$(seconds ours)" >> "$raw"
    sed -n 's/.*Transferred [0-9]* bytes in \([0-9.]*\) seconds.*/transfer\t\1/p' "$work/ssh.err" >> "$raw"
    drop_cache "$origin"
    printf 'dd\t%s\n' "$(seconds dd_ssh)" >> "$raw"
    printf 'zero\t%s\n' "$(seconds zero_ssh)" >> "$raw"
done
tsv=$out/ssh.tsv
printf 'what\tmedian_s\n' > "$tsv"
for w in ours transfer dd zero; do printf '%s\t%s\n' "$w" "$(awk -F'\t' -v w="$w" '$1 == w { print $2 }' "$raw" | median)" >> "$tsv"; done
o=$(awk -F'\t' '$1 == "ours" { print $2 }' "$tsv") d=$(awk -F'\t' '$1 == "dd" { print $2 }' "$tsv")
x=$(awk -F'\t' '$1 == "transfer" { print $2 }' "$tsv")
z=$(awk -F'\t' '$1 == "zero" { print $2 }' "$tsv")
echo "Dense changes over ssh ($cipher, to a private sshd on 127.0.0.1): $size MiB, median of $rounds interleaved rounds"
echo
echo "| what | median s | MB/s | ratio (dd / ours) |"
echo "|---|---|---|---|"
awk -v o="$o" -v x="$x" -v d="$d" -v z="$z" -v m="$size" 'BEGIN {
    printf "| sender --stdout \\| ssh HOST '"'"'cat > /dev/null'"'"' (whole command, JVM start included) | %.3f | %.0f | %.2f |\n", o, m * 1.048576 / o, d / o
    printf "| the same, its transfer (\"Transferred ... in\") | %.3f | %.0f | %.2f |\n", x, m * 1.048576 / x, d / x
    printf "| dd iflag=direct bs=4M \\| ssh HOST '"'"'cat > /dev/null'"'"' | %.3f | %.0f | |\n", d, m * 1.048576 / d
    printf "| head -c SIZE /dev/zero \\| ssh HOST '"'"'cat > /dev/null'"'"' (ssh alone: the ceiling) | %.3f | %.0f | %.2f vs ours |\n", z, m * 1.048576 / z, z / o }'
