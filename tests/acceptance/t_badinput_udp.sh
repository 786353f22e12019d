#!/usr/bin/env bash
# acceptance: ~250 s
# Hostile and broken input over UDP (docs/errors.md): the cases common to every transport
# (badinput_lib.sh), then the datagram-only ones: a truncated datagram, a Content-Length beyond
# the datagram, a NUL byte in a header — each answered 400 at once (a datagram cannot be
# "still arriving").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/badinput_lib.sh"

badinput_start
badinput_common_cases udp
case_is truncated udp truncated.sip "SIP/2.0 400 Bad To Header" 'event=refused status=400 .*Bad To Header'
case_is cl_larger udp message.sip "SIP/2.0 400 Bad Request" 'event=refused status=400' --cl 500
case_is nul_header udp nul_header.sip "SIP/2.0 400 Bad Request" 'event=refused status=400'
badinput_presence_bodies_checked 3

pass "bad input over udp: exact answers, log lines, routing afterwards"
