#!/bin/sh
# mklab.sh — make the lab PKI for the bundled configuration and the tests (issue 3 item 6).
#
# Usage: certs/mklab.sh [DIR]        (default: certs/lab next to this script)
#
# Layout (all PEM; keys are ECDSA P-256, mode 0600, never committed: certs/lab/ is gitignored):
#   ca.pem                 lab root CA (the trust store: [tls] ca_file)
#   inter.pem              lab intermediate CA; every leaf below is issued by it, and every
#                          NAME.pem holds leaf + intermediate, so peers only need ca.pem
#   edge.pem/.key          edge.ciscoexample.test (our node; server and client)
#   edge-client.pem/.key   edge.ciscoexample.test, clientAuth only ([tls] client_certificate)
#   expc.pem/.key          expc.ciscoexample.test (the internal node of a traversal pair)
#   expc2.pem/.key         expc2.ciscoexample.test (a second internal node)
#   imp1.pem, imp2.pem     imp1/imp2.ciscoexample.test (IM&P peers)
#   msedge.pem             sip.msexample.test (Microsoft Access Edge)
#   partner.pem            sip.partner.test (another Microsoft edge)
#   wrongname.pem          wrong.example.test: valid chain, none of the expected names
#   rogue-ca.pem           a second, untrusted CA
#   rogue-client.pem       sip.msexample.test issued by the rogue CA
# Idempotent: a certificate is re-made only when it is missing, does not verify against the lab
# CA, expires within 30 days, or its key is missing. Re-making the CA re-makes everything.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/lab}
days=825
umask 077
mkdir -p "$out"
chmod 700 "$out"
cd "$out"

command -v openssl >/dev/null || { echo "mklab: openssl not found" >&2; exit 2; }

newkey() { # FILE: a fresh P-256 key, 0600
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
    chmod 600 "$1"
}

fresh() { # CERT KEY CAFILE [UNTRUSTED]: true when CERT is present, verifies and is not expiring
    [ -s "$1" ] && [ -s "$2" ] || return 1
    openssl x509 -in "$1" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 || return 1
    if [ $# -ge 4 ]; then
        openssl verify -CAfile "$3" -untrusted "$4" "$1" >/dev/null 2>&1
    else
        openssl verify -CAfile "$3" "$1" >/dev/null 2>&1
    fi
}

mkca() { # NAME CN [ISSUER]: a CA certificate NAME.pem with key NAME.key
    newkey "$1.key"
    ext="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash"
    if [ $# -ge 3 ]; then
        openssl req -new -key "$1.key" -subj "/O=sipfed lab/CN=$2" -out "$1.csr"
        printf '%s\nauthorityKeyIdentifier=keyid\n' "$ext" > "$1.ext"
        openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
            -days "$days" -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
        rm -f "$1.csr" "$1.ext"
    else
        printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n%s\n' "$ext" > "$1.cnf"
        openssl req -x509 -new -key "$1.key" -subj "/O=sipfed lab/CN=$2" -days "$days" \
            -sha256 -config "$1.cnf" -extensions v3 -out "$1.pem"
        rm -f "$1.cnf"
    fi
    chmod 644 "$1.pem"
}

mkleaf() { # NAME ISSUER EKU CN [SAN...]: NAME.pem (leaf + issuer unless the issuer is a root)
    name=$1 issuer=$2 eku=$3 cn=$4
    shift 4
    san=""
    for n in "$@"; do san="${san:+$san,}DNS:$n"; done
    newkey "$name.key"
    openssl req -new -key "$name.key" -subj "/O=sipfed lab/CN=$cn" -out "$name.csr"
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature"
        echo "extendedKeyUsage=$eku"
        echo "authorityKeyIdentifier=keyid"
        [ -n "$san" ] && echo "subjectAltName=$san"
    } > "$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial \
        -days "$days" -sha256 -extfile "$name.ext" -out "$name.leaf" 2>/dev/null
    if [ "$issuer" = inter ]; then cat "$name.leaf" inter.pem > "$name.pem"
    else cp "$name.leaf" "$name.pem"; fi
    rm -f "$name.csr" "$name.ext" "$name.leaf"
    chmod 644 "$name.pem"
    made="$made $name"
}

made=""
if ! fresh ca.pem ca.key ca.pem; then
    rm -f ./*.pem ./*.key ./*.srl
    mkca ca "sipfed lab root CA"
    made="$made ca"
fi
if ! fresh inter.pem inter.key ca.pem; then
    mkca inter "sipfed lab issuing CA" ca
    made="$made inter"
fi
if ! fresh rogue-ca.pem rogue-ca.key rogue-ca.pem; then
    mkca rogue-ca "rogue CA"
    made="$made rogue-ca"
fi

both=serverAuth,clientAuth
leaf() { # NAME ISSUER-CAFILE args for mkleaf...
    name=$1 cafile=$2
    shift 2
    if [ "$cafile" = ca.pem ]; then fresh "$name.pem" "$name.key" ca.pem inter.pem && return 0
    else fresh "$name.pem" "$name.key" "$cafile" && return 0; fi
    mkleaf "$name" "$@"
}
leaf edge         ca.pem       inter $both      edge.ciscoexample.test edge.ciscoexample.test
leaf edge-client  ca.pem       inter clientAuth "sipfed edge client" edge.ciscoexample.test
leaf expc         ca.pem       inter $both      expc.ciscoexample.test expc.ciscoexample.test
leaf expc2        ca.pem       inter $both      expc2.ciscoexample.test expc2.ciscoexample.test
leaf imp1         ca.pem       inter $both      imp1.ciscoexample.test imp1.ciscoexample.test
leaf imp2         ca.pem       inter $both      imp2.ciscoexample.test imp2.ciscoexample.test
leaf msedge       ca.pem       inter $both      sip.msexample.test sip.msexample.test
leaf partner      ca.pem       inter $both      sip.partner.test sip.partner.test
leaf wrongname    ca.pem       inter $both      wrong.example.test wrong.example.test
leaf rogue-client rogue-ca.pem rogue-ca $both   sip.msexample.test sip.msexample.test

chmod 600 ./*.key
if [ -n "$made" ]; then echo "mklab: made$made in $out"
else echo "mklab: lab certificates in $out are up to date"; fi
