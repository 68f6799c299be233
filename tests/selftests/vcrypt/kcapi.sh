#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Debian's kcapi-tools against the driver through AF_ALG: kcapi-enc
# encrypts and decrypts with cbc(aes), ctr(aes), xts(aes) and gcm(aes),
# kcapi-dgst computes sha256, sha512 and hmac(sha256), each on published
# known answers (NIST SP 800-38A, IEEE Std 1619-2007, McGrew and Viega's
# GCM test cases, FIPS 180-4 examples, RFC 4231), compared byte for byte.
#
# Each run of a tool must have been served by the card: the host slice's
# completed_ops (/sys/class/vcrypt/vcrypt-host0) and the card's own
# card_ops (its debugfs stats) grow by at least one, the host slice's
# fallback_ops does not grow (nothing ran in the driver's software
# fallback), and its errors grow only when the card refused a GCM tag.
# First, each algorithm of the driver must be in /proc/crypto, tested by
# the kernel's self-tests and the highest priority one of its name.
#
# Prints TAP; exits non-zero if a check failed.

set -u

host=/sys/class/vcrypt/vcrypt-host0
# the card's debugfs directory is named after its PCI address
stats=$(basename "$(readlink -f "$host/device")")
stats=/sys/kernel/debug/vcrypt/$stats/stats
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$(dirname "$0")/tap.sh"

# hex2file HEX FILE / file2hex FILE
hex2file() {
	printf '%s' "$1" | xxd -r -p >"$2"
}

file2hex() {
	xxd -p "$1" | tr -d '\n'
}

# join: standard input without white space (for long hex strings)
join() {
	tr -d ' \n'
}

# ---- the card's counters ----------------------------------------------

# counter NAME: a counter of the host slice, or "none"
counter() {
	v=none
	[ -r "$host/$1" ] && read -r v <"$host/$1"
	echo "$v"
}

# card_ops: the card's own count of completed descriptors, or "none"
card_ops() {
	v=$(awk '$1 == "card_ops" { print $2 }' "$stats" 2>/dev/null)
	echo "${v:-none}"
}

card_begin() {
	c0=$(counter completed_ops)
	f0=$(counter fallback_ops)
	e0=$(counter errors)
	k0=$(card_ops)
}

# card_end WHAT RUNS ERRORS: the RUNS tool runs since card_begin were
# served by the card, ERRORS of them with an error status
card_end() {
	c1=$(counter completed_ops)
	f1=$(counter fallback_ops)
	e1=$(counter errors)
	k1=$(card_ops)
	if [ "$c0" = none ] || [ "$c1" = none ] || [ "$f1" = none ] ||
	   [ "$e1" = none ]; then
		not_ok "$1: on the card (no counters in $host)"
		return
	fi
	if [ "$k0" = none ] || [ "$k1" = none ]; then
		not_ok "$1: on the card (no card_ops in $stats)"
		return
	fi
	dc=$((c1 - c0))
	dk=$((k1 - k0))
	df=$((f1 - f0))
	de=$((e1 - e0))
	msg="completed_ops +$dc, card_ops +$dk, fallback_ops +$df, errors +$de"
	if [ "$dc" -ge "$2" ] && [ "$dk" -ge "$2" ] && [ "$df" -eq 0 ] &&
	   [ "$de" -eq "$3" ]; then
		ok "$1: on the card ($msg)"
	else
		not_ok "$1: on the card: want completed_ops and card_ops" \
			"+$2 or more, fallback_ops +0, errors +$3; got $msg"
	fi
}

# ---- the tools ----------------------------------------------------------

# check WHAT STATUS GOT WANT
check() {
	if [ "$2" -ne 0 ]; then
		not_ok "$1 (exit status $2: $(head -c 300 "$tmp/err"))"
	elif [ "$3" = "$4" ]; then
		ok "$1"
	else
		not_ok "$1 (got $3, want $4)"
	fi
}

# enc WHAT WANT ARGS...: kcapi-enc ARGS with the key in $tmp/key, output
# in $tmp/out compared with the hex WANT
enc() {
	what=$1
	want=$2
	shift 2
	rm -f "$tmp/out"
	rc=0
	kcapi-enc -q --keyfd 3 "$@" -o "$tmp/out" 3<"$tmp/key" \
		2>"$tmp/err" || rc=$?
	check "$what" "$rc" "$(file2hex "$tmp/out" 2>/dev/null)" "$want"
}

# skcipher NAME CIPHER KEY IV PT CT: encrypt PT, decrypt CT
skcipher() {
	hex2file "$3" "$tmp/key"
	hex2file "$5" "$tmp/pt"
	hex2file "$6" "$tmp/ct"
	card_begin
	enc "kcapi-enc -c $2: $1 encrypt" "$6" -e -c "$2" --iv "$4" \
		-i "$tmp/pt"
	enc "kcapi-enc -c $2: $1 decrypt" "$5" -d --nounpad -c "$2" \
		--iv "$4" -i "$tmp/ct"
	card_end "kcapi-enc -c $2: $1" 2 0
}

# gcm NAME KEY IV AAD PT CT TAG: seal PT, open CT and TAG (the output
# starts with the AAD), and refuse CT with a flipped tag bit: exit status
# 182 (-EBADMSG), reported by the card as an error
gcm() {
	hex2file "$2" "$tmp/key"
	hex2file "$5" "$tmp/pt"
	hex2file "$6" "$tmp/ct"
	taglen=$((${#7} / 2))
	card_begin
	enc "kcapi-enc -c gcm(aes): $1 encrypt" "$4$6$7" -e -c "gcm(aes)" \
		--iv "$3" --aad "$4" --taglen "$taglen" -i "$tmp/pt"
	enc "kcapi-enc -c gcm(aes): $1 decrypt" "$4$5" -d -c "gcm(aes)" \
		--iv "$3" --aad "$4" --tag "$7" -i "$tmp/ct"
	# the tag with the lowest bit of its first byte flipped
	first=$(printf '%s' "$7" | cut -c1-2)
	bad=$(printf '%02x' $((0x$first ^ 1)))$(printf '%s' "$7" | cut -c3-)
	rc=0
	kcapi-enc -q --keyfd 3 -d -c "gcm(aes)" --iv "$3" --aad "$4" \
		--tag "$bad" -i "$tmp/ct" -o "$tmp/out" 3<"$tmp/key" \
		2>"$tmp/err" || rc=$?
	if [ "$rc" -eq 182 ]; then
		ok "kcapi-enc -c gcm(aes): $1 with a wrong tag is refused (EBADMSG)"
	else
		not_ok "kcapi-enc -c gcm(aes): $1 with a wrong tag: exit status $rc, want 182 (EBADMSG)"
	fi
	card_end "kcapi-enc -c gcm(aes): $1" 3 1
}

# dgst NAME HASH KEY MSG DIGEST: kcapi-dgst of the hex MSG, keyed with
# the hex KEY unless it is empty
dgst() {
	hex2file "$4" "$tmp/msg"
	set -- "$1" "$2" "$3" "$5"
	card_begin
	rc=0
	if [ -n "$3" ]; then
		hex2file "$3" "$tmp/key"
		got=$(kcapi-dgst -q --keyfd 3 -c "$2" --hex -i "$tmp/msg" \
		      3<"$tmp/key" 2>"$tmp/err") || rc=$?
	else
		got=$(kcapi-dgst -q -c "$2" --hex -i "$tmp/msg" \
		      2>"$tmp/err") || rc=$?
	fi
	check "kcapi-dgst -c $2: $1" "$rc" "$got" "$4"
	card_end "kcapi-dgst -c $2: $1" 1 0
}

# ---- the driver's algorithms ----------------------------------------------

# Each vcrypt algorithm is registered, passed the kernel's self-tests and
# is the one a user of its name gets (the highest priority).
for drv in "vcrypt-cbc-aes=cbc(aes)" "vcrypt-ctr-aes=ctr(aes)" \
	   "vcrypt-xts-aes=xts(aes)" "vcrypt-gcm-aes=gcm(aes)" \
	   "vcrypt-rfc4106-gcm-aes=rfc4106(gcm(aes))" vcrypt-sha256=sha256 \
	   vcrypt-sha512=sha512 "vcrypt-hmac-sha256=hmac(sha256)"; do
	name=${drv#*=}
	drv=${drv%%=*}
	res=$(awk -v drv="$drv" '
		function flush() {
			if (name != "") {
				prio[name] = prio[name] " " p
				if (d == drv) {
					mine = name; myprio = p; mytest = t
				}
			}
			name = d = p = t = ""
		}
		/^$/ { flush(); next }
		{ key = $1; sub(/^[^:]*: /, "") }
		key == "name" { name = $0 }
		key == "driver" { d = $0 }
		key == "priority" { p = $0 }
		key == "selftest" { t = $0 }
		END {
			flush()
			if (mine == "") { print "not registered"; exit }
			n = split(prio[mine], ps, " ")
			for (i = 1; i <= n; i++)
				if (ps[i] + 0 > myprio + 0) {
					print "not the highest priority for " mine
					exit
				}
			print "name " mine ", priority " myprio ", selftest " mytest
		}' /proc/crypto)
	case $res in
	"name $name, priority 1500, selftest passed")
		ok "/proc/crypto: $drv: $res";;
	*)
		not_ok "/proc/crypto: $drv: $res";;
	esac
done

# ---- kcapi-enc ------------------------------------------------------------

# NIST SP 800-38A F.2 and F.5: one plaintext, three keys
pt=6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51
pt=${pt}30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710
k128=2b7e151628aed2a6abf7158809cf4f3c
k192=8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b
k256=603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4
cbc_iv=000102030405060708090a0b0c0d0e0f
ctr_iv=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff

# sp800_38a SECTIONS MODE KEY IV CT...: $pt under KEY and IV, the
# ciphertext CT given in pieces
sp800_38a() {
	sp_name="SP 800-38A $1" sp_mode=$2 sp_key=$3 sp_iv=$4
	shift 4
	skcipher "$sp_name" "$sp_mode" "$sp_key" "$sp_iv" "$pt" \
		"$(printf '%s' "$@")"
}

sp800_38a "F.2.1/F.2.2 (AES-128)" "cbc(aes)" "$k128" "$cbc_iv" \
	7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 \
	73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7
sp800_38a "F.2.3/F.2.4 (AES-192)" "cbc(aes)" "$k192" "$cbc_iv" \
	4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a \
	571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd
sp800_38a "F.2.5/F.2.6 (AES-256)" "cbc(aes)" "$k256" "$cbc_iv" \
	f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d \
	39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b

ctr128=$(join <<'EOF'
874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff
5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee
EOF
)
sp800_38a "F.5.1/F.5.2 (AES-128)" "ctr(aes)" "$k128" "$ctr_iv" "$ctr128"
sp800_38a "F.5.3/F.5.4 (AES-192)" "ctr(aes)" "$k192" "$ctr_iv" \
	1abc932417521ca24f2b0459fe7e6e0b 090339ec0aa6faefd5ccc2c6f4ce8e94 \
	1e36b26bd1ebc670d1bd1d665620abf7 4f78a7f6d29809585a97daec58c6b050
sp800_38a "F.5.5/F.5.6 (AES-256)" "ctr(aes)" "$k256" "$ctr_iv" \
	601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5 \
	2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6
# CTR is a stream cipher: the first 60 bytes of F.5.1 (a partial block)
skcipher "SP 800-38A F.5.1/F.5.2 (AES-128), first 60 bytes" "ctr(aes)" \
	"$k128" "$ctr_iv" "$(printf '%s' "$pt" | cut -c1-120)" \
	"$(printf '%s' "$ctr128" | cut -c1-120)"

# IEEE Std 1619-2007 annex B, vectors 2, 3 and 4 (XTS-AES-128; 4 is a
# 512-byte data unit). kcapi-enc takes keys of at most 32 bytes, so no
# XTS-AES-256, and pads its input to whole blocks, so none of the vectors
# with ciphertext stealing.
dusn3=33333333330000000000000000000000
skcipher "IEEE 1619 vector 2" "xts(aes)" \
	1111111111111111111111111111111122222222222222222222222222222222 \
	"$dusn3" \
	4444444444444444444444444444444444444444444444444444444444444444 \
	c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0
skcipher "IEEE 1619 vector 3" "xts(aes)" \
	fffefdfcfbfaf9f8f7f6f5f4f3f2f1f022222222222222222222222222222222 \
	"$dusn3" \
	4444444444444444444444444444444444444444444444444444444444444444 \
	af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89
# its plaintext: bytes 00 to ff, twice
pt512=$(awk 'BEGIN { for (i = 0; i < 512; i++) printf "%02x", i % 256 }')
skcipher "IEEE 1619 vector 4" "xts(aes)" \
	2718281828459045235360287471352631415926535897932384626433832795 \
	00000000000000000000000000000000 "$pt512" "$(join <<'EOF'
27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89c
c78cf7f5e543445f8333d8fa7f56000005279fa5d8b5e4ad40e736ddb4d35412
328063fd2aab53e5ea1e0a9f332500a5df9487d07a5c92cc512c8866c7e860ce
93fdf166a24912b422976146ae20ce846bb7dc9ba94a767aaef20c0d61ad0265
5ea92dc4c4e41a8952c651d33174be51a10c421110e6d81588ede82103a252d8
a750e8768defffed9122810aaeb99f9172af82b604dc4b8e51bcb08235a6f434
1332e4ca60482a4ba1a03b3e65008fc5da76b70bf1690db4eae29c5f1badd03c
5ccf2a55d705ddcd86d449511ceb7ec30bf12b1fa35b913f9f747a8afd1b130e
94bff94effd01a91735ca1726acd0b197c4e5b03393697e126826fb6bbde8ecc
1e08298516e2c9ed03ff3c1b7860f6de76d4cecd94c8119855ef5297ca67e9f3
e7ff72b1e99785ca0a7e7720c5b36dc6d72cac9574c8cbbc2f801e23e56fd344
b07f22154beba0f08ce8891e643ed995c94d9a69c9f1b5f499027a78572aeebd
74d20cc39881c213ee770b1010e4bea718846977ae119f7a023ab58cca0ad752
afe656bb3c17256a9f6e9bf19fdd5a38fc82bbe872c5539edb609ef4f79c203e
bb140f2e583cb2ad15b4aa5b655016a8449277dbd477ef2c8d6c017db738b18d
eb4a427d1923ce3ff262735779a418f20a282df920147beabe421ee5319d0568
EOF
)"

# McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 4,
# 10 and 16: the same IV, AAD and 60-byte plaintext with three keys
gcm_iv=cafebabefacedbaddecaf888
gcm_aad=feedfacedeadbeeffeedfacedeadbeefabaddad2
gcm_pt=$(join <<'EOF'
d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b39
EOF
)
gcm "GCM test case 4 (AES-128)" feffe9928665731c6d6a8f9467308308 \
	"$gcm_iv" "$gcm_aad" "$gcm_pt" "$(join <<'EOF'
42831ec2217774244b7221b784d0d49c e3aa212f2c02a4e035c17e2329aca12e
21d514b25466931c7d8f6a5aac84aa05 1ba30b396a0aac973d58e091
EOF
)" 5bc94fbc3221a5db94fae95ae7121a47
gcm "GCM test case 10 (AES-192)" \
	feffe9928665731c6d6a8f9467308308feffe9928665731c \
	"$gcm_iv" "$gcm_aad" "$gcm_pt" "$(join <<'EOF'
3980ca0b3c00e841eb06fac4872a2757 859e1ceaa6efd984628593b40ca1e19c
7d773d00c144c525ac619d18c84a3f47 18e2448b2fe324d9ccda2710
EOF
)" 2519498e80f1478f37ba55bd6d27618c
gcm "GCM test case 16 (AES-256)" \
	feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 \
	"$gcm_iv" "$gcm_aad" "$gcm_pt" "$(join <<'EOF'
522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa
8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662
EOF
)" 76fc6ece0f4e1768cddf8853bb2d551b

# ---- kcapi-dgst -----------------------------------------------------------

# FIPS 180-4 examples (NIST's SHA-256 and SHA-512 example values)
abc=616263
msg448=$(printf '%s' \
	abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq | xxd -p |
	join)
msg896=$(printf '%s%s' abcdefghbcdefghicdefghijdefghijkefghijklfghijklm \
	ghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu |
	xxd -p | join)
dgst "SHA-256 of \"abc\"" sha256 "" "$abc" \
	ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
dgst "SHA-256 of the empty message" sha256 "" "" \
	e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
dgst "SHA-256 of the 448-bit message" sha256 "" "$msg448" \
	248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1
dgst "SHA-512 of \"abc\"" sha512 "" "$abc" "$(join <<'EOF'
ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a
2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f
EOF
)"
dgst "SHA-512 of the empty message" sha512 "" "" "$(join <<'EOF'
cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce
47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e
EOF
)"
dgst "SHA-512 of the 896-bit message" sha512 "" "$msg896" "$(join <<'EOF'
8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018
501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909
EOF
)"

# RFC 4231 test cases 1-4, and NIST's HMAC-SHA-256 example with a 32-byte
# key (kcapi-dgst takes keys of at most 32 bytes: not RFC 4231 test cases
# 6 and 7)
dgst "RFC 4231 test case 1" "hmac(sha256)" \
	0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b "$(printf 'Hi There' | xxd -p)" \
	b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7
dgst "RFC 4231 test case 2" "hmac(sha256)" 4a656665 \
	"$(printf 'what do ya want for nothing?' | xxd -p | join)" \
	5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
dgst "RFC 4231 test case 3" "hmac(sha256)" \
	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "$(join <<'EOF'
dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd
dddddddddddddddddddddddddddddddd
EOF
)" 773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe
dgst "RFC 4231 test case 4" "hmac(sha256)" \
	0102030405060708090a0b0c0d0e0f10111213141516171819 "$(join <<'EOF'
cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
EOF
)" 82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b
dgst "NIST HMAC_SHA256.pdf, key length < block length" "hmac(sha256)" \
	000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
	"$(printf 'Sample message for keylen<blocklen' | xxd -p | join)" \
	a28cf43130ee696a98f14a37678b56bcfcbdd9e5cf69717fecf5480f0ebdf790

tap_end kcapi.sh
