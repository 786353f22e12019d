/* test_dialplan.c — the dial-plan loader (SPEC §3.2): every key of every section with good and
 * bad values and the exact `file:line: message`, the Cisco guide's broken patterns, warnings,
 * cross-file checks, defaults, ordering, and freeing (run under ASan by `make unit-asan`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config.h"
#include "dialplan.h"
#include "loader_fixture.h"

/* Two zones every case may name; the case itself is written to 50-case.ini. */
static const char base_ini[] =
    "[zone IMP]\n"
    "type = neighbor\n"
    "peers = imp1.ciscoexample.test:5062\n"
    "[zone DNS]\n"
    "type = dns\n";

struct dp_case {
    const char *name;
    const char *text;
    const char *expect[8];       /* every diagnostic, in order; none: loads cleanly */
};

#define R(body) "[rule \"R\"]\npriority = 10\ntarget = IMP\n" body
#define Z(type, body) "[zone Z]\ntype = " type "\n" body

static const struct dp_case dp_cases[] = {
    /* [zone] */
    { "zone neighbor ok", Z("neighbor", "peers = a.test, [::1]:5061, 192.0.2.1:5062\n"
                                        "transport = tcp\ntls_verify = off\nauthenticated = yes\n"
                                        "traffic = ms-imp\nrecord_route = no\n"
                                        "presence_format = pidf\n"), { NULL } },
    { "zone traversal ok", Z("traversal_client", "peers = dmz.test:7001\n"
                             "tls_verify_subject = dmz.test\n"), { NULL } },
    { "zone traversal client keep-alive", Z("traversal_client", "peers = dmz.test\n"
                                            "keepalive_interval = 5\nreconnect_max = 30\n"),
      { NULL } },
    { "zone traversal server ok", Z("traversal_server", "traffic = standard\n"
                                    "tls_verify_subject = expc.test\nkeepalive_interval = 10\n"),
      { NULL } },
    { "zone traversal server without a name", Z("traversal_server", "traffic = standard\n"),
      { "50-case.ini:1: [zone Z]: a traversal_server zone needs tls_verify_subject = the "
        "internal node's certificate name(s)" } },
    { "zone traversal server with peers", Z("traversal_server", "peers = expc.test\n"
                                            "tls_verify_subject = expc.test\n"),
      { "50-case.ini:3: key 'peers' is not valid in [zone Z] (type traversal_server)" } },
    { "zone traversal over tcp", Z("traversal_client", "peers = dmz.test\ntransport = tcp\n"),
      { "50-case.ini:1: [zone Z]: traversal zones need transport = tls (the pair is joined by "
        "mutual TLS)" } },
    { "zone traversal server reconnect_max", Z("traversal_server", "reconnect_max = 5\n"
                                               "tls_verify_subject = expc.test\n"),
      { "50-case.ini:3: key 'reconnect_max' is not valid in [zone Z] (type traversal_server)" } },
    { "zone dns ok", Z("dns", "srv = _sipfederationtls._tcp, _sip._tls\n"
                              "fallback_a_record = on\ntls_verify = on\n"
                              "presence_format = asis\n"), { NULL } },
    { "zone default ok", "[zone Internet]\ntype = default\nrequire_client_certificate = on\n"
                         "authenticated = verified\npresence_format = pidf\n", { NULL } },
    { "zone type missing", "[zone Z]\npeers = a.test\n",
      { "50-case.ini:1: missing required key 'type' in [zone Z]" } },
    { "zone type bad", Z("neighbour", "peers = a.test\n"),
      { "50-case.ini:2: invalid value 'neighbour' for 'type' (expected neighbor, "
        "traversal_client, traversal_server, dns or default; did you mean 'neighbor'?)" } },
    /* issue 12: a zone whose type is wrong is reported once, not again by every rule that
     * targets it ("... is the default zone") */
    { "zone type bad: no cascade", Z("neighbour", "peers = a.test\n")
                                   "[rule \"R\"]\npriority = 10\npattern = a\ntarget = Z\n",
      { "50-case.ini:2: invalid value 'neighbour' for 'type' (expected neighbor, "
        "traversal_client, traversal_server, dns or default; did you mean 'neighbor'?)" } },
    { "zone type missing: no cascade", "[zone Z]\npeers = a.test\n"
                                       "[rule \"R\"]\npriority = 10\npattern = a\ntarget = Z\n",
      { "50-case.ini:1: missing required key 'type' in [zone Z]" } },
    { "zone type bad: other keys not checked against it", Z("dsn", "authenticated = yes\n"
                                                                   "srv = _a._tcp\nsrvs = 1\n"),
      { "50-case.ini:2: invalid value 'dsn' for 'type' (expected neighbor, traversal_client, "
        "traversal_server, dns or default; did you mean 'dns'?)",
        "50-case.ini:5: unknown key 'srvs' in [zone Z] (did you mean 'srv'?)" } },
    { "zone type after other keys", "[zone Z]\nsrv = _sip._tls\nfallback_a_record = on\n"
                                    "type = neighbor\npeers = a.test\n",
      { "50-case.ini:2: key 'srv' is not valid in [zone Z] (type neighbor)",
        "50-case.ini:3: key 'fallback_a_record' is not valid in [zone Z] (type neighbor)" } },
    { "zone unknown key", Z("dns", "x = 1\n"), { "50-case.ini:3: unknown key 'x' in [zone Z]" } },
    { "zone duplicate key", Z("dns", "srv = _a._tcp\nsrv = _b._tcp\n"),
      { "50-case.ini:4: duplicate key 'srv' in [zone Z] (first at line 3)" } },
    { "zone neighbor without peers", Z("neighbor", ""),
      { "50-case.ini:1: missing required key 'peers' in [zone Z]" } },
    { "zone neighbor empty peers", Z("neighbor", "peers =\n"),
      { "50-case.ini:3: invalid value '' for 'peers' (expected at least one HOST[:PORT])" } },
    { "zone peers bad port", Z("neighbor", "peers = a.test:0, b.test:65536\n"),
      { "50-case.ini:3: invalid value 'a.test:0' for 'peers' (the port must be a number from 1 "
        "to 65535)",
        "50-case.ini:3: invalid value 'b.test:65536' for 'peers' (the port must be a number "
        "from 1 to 65535)" } },
    { "zone peers bare ipv6", Z("traversal_client", "peers = ::1:5061\n"),
      { "50-case.ini:3: invalid value '::1:5061' for 'peers' (write an IPv6 address in "
        "brackets, e.g. [::1]:5061)" } },
    { "zone peers bad name", Z("neighbor", "peers = imp 1.test\n"),
      { "50-case.ini:3: invalid value 'imp 1.test' for 'peers' (not a host name or IP "
        "address)" } },
    { "zone peers bad ipv6", Z("neighbor", "peers = [fe80::zz]:5061\n"),
      { "50-case.ini:3: invalid value '[fe80::zz]:5061' for 'peers' (not an IPv6 address "
        "between '[' and ']')" } },
    { "zone transport bad", Z("neighbor", "peers = a.test\ntransport = sctp\n"),
      { "50-case.ini:4: invalid value 'sctp' for 'transport' (expected tls, tcp or udp)" } },
    { "zone tls_verify bad", Z("dns", "tls_verify = maybe\n"),
      { "50-case.ini:3: invalid value 'maybe' for 'tls_verify' (expected on or off (yes/no, "
        "true/false))" } },
    { "zone tls_verify_subject bad", Z("neighbor", "peers = a.test\n"
                                                   "tls_verify_subject = a.test, *.b.test\n"),
      { "50-case.ini:4: invalid value '*.b.test' for 'tls_verify_subject' (expected a DNS "
        "name)" } },
    { "zone tls_verify_subject without tls", Z("neighbor", "peers = a.test\ntransport = tcp\n"
                                                           "tls_verify_subject = a.test\n"),
      { "50-case.ini:5: tls_verify_subject needs transport = tls in [zone Z]" } },
    { "zone authenticated neighbor", Z("neighbor", "peers = a.test\nauthenticated = verified\n"),
      { "50-case.ini:4: invalid value 'verified' for 'authenticated' (expected no or yes)" } },
    { "zone authenticated default", Z("default", "authenticated = yes\n"),
      { "50-case.ini:3: invalid value 'yes' for 'authenticated' (expected no or verified)" } },
    { "zone authenticated dns", Z("dns", "authenticated = yes\n"),
      { "50-case.ini:3: key 'authenticated' is not valid in [zone Z] (type dns)" } },
    { "zone traffic bad", Z("neighbor", "peers = a.test\ntraffic = ms-sip\n"),
      { "50-case.ini:4: invalid value 'ms-sip' for 'traffic' (expected standard or ms-imp)" } },
    { "zone traffic on dns", Z("dns", "traffic = ms-imp\n"),
      { "50-case.ini:3: key 'traffic' is not valid in [zone Z] (type dns)" } },
    { "zone record_route bad", Z("neighbor", "peers = a.test\nrecord_route = 2\n"),
      { "50-case.ini:4: invalid value '2' for 'record_route' (expected on or off (yes/no, "
        "true/false))" } },
    { "zone srv bad", Z("dns", "srv = sipfederationtls.tcp\n"),
      { "50-case.ini:3: invalid value 'sipfederationtls.tcp' for 'srv' (expected an SRV "
        "service such as _sipfederationtls._tcp)" } },
    { "zone srv empty", Z("dns", "srv =\n"),
      { "50-case.ini:3: invalid value '' for 'srv' (expected at least one SRV service)" } },
    { "zone fallback_a_record bad", Z("dns", "fallback_a_record = sometimes\n"),
      { "50-case.ini:3: invalid value 'sometimes' for 'fallback_a_record' (expected on or off "
        "(yes/no, true/false))" } },
    { "zone require_client_certificate on neighbor",
      Z("neighbor", "peers = a.test\nrequire_client_certificate = on\n"),
      { "50-case.ini:4: key 'require_client_certificate' is not valid in [zone Z] (type "
        "neighbor)" } },
    { "zone require_client_certificate bad", Z("default", "require_client_certificate = 1\n"),
      { "50-case.ini:3: invalid value '1' for 'require_client_certificate' (expected on or off "
        "(yes/no, true/false))" } },
    { "zone presence_format bad", Z("dns", "presence_format = xml\n"),
      { "50-case.ini:3: invalid value 'xml' for 'presence_format' (expected asis or pidf)" } },
    { "zone two defaults", "[zone A]\ntype = default\n[zone B]\ntype = default\n",
      { "50-case.ini:3: second zone of type default 'B' (the first is 'A' at $D/50-case.ini:1)" } },
    { "zone named default of another type", "[zone default]\ntype = dns\n",
      { "50-case.ini:1: zone 'default' must have type = default" } },
    { "zone reserved name", "[zone any]\ntype = dns\n",
      { "50-case.ini:1: zone name 'any' is reserved (a rule source word)" } },
    { "zone without name", "[zone]\ntype = dns\n",
      { "50-case.ini:1: [zone] needs a zone name without commas, e.g. [zone IMP]" } },
    { "zone duplicate across files", "[zone IMP]\ntype = dns\n",
      { "50-case.ini:1: duplicate zone 'IMP' (first declared at $D/00-base.ini:1)" } },
    { "zone scalar continued", Z("dns", "fallback_a_record = on\n  off\n"),
      { "50-case.ini:4: 'fallback_a_record' takes a single value: remove the indentation of "
        "this line" } },

    /* [rule] */
    { "rule every key ok", "[rule \"All keys\"]\npriority = 65534\nsource = IMP, DNS\n"
                           "traffic = ms-any\nauthenticated = yes\nmode = alias_pattern\n"
                           "pattern_type = regex\npattern = (.*)@old\\.test\nbehavior = replace\n"
                           "replace = \\1@new.test\non_match = continue\ntarget = DNS\n"
                           "enabled = no\n", { NULL } },
    { "rule prefix strip ok", R("pattern_type = prefix\npattern = sip:\nbehavior = strip\n"),
      { NULL } },
    { "rule missing priority and target", "[rule \"R\"]\npattern = a\n",
      { "50-case.ini:1: missing required key 'priority' in [rule \"R\"]",
        "50-case.ini:1: missing required key 'target' in [rule \"R\"]" } },
    { "rule missing pattern", R(""),
      { "50-case.ini:1: missing required key 'pattern' in [rule \"R\"]" } },
    { "rule empty pattern", R("pattern =\n"),
      { "50-case.ini:4: invalid value '' for 'pattern' (expected a pattern (or mode = "
        "any_alias))" } },
    { "rule priority 0", "[rule \"R\"]\npriority = 0\ntarget = IMP\npattern = a\n",
      { "50-case.ini:2: invalid value '0' for 'priority' (expected a number from 1 to 65534)" } },
    { "rule priority 65535", "[rule \"R\"]\npriority = 65535\ntarget = IMP\npattern = a\n",
      { "50-case.ini:2: invalid value '65535' for 'priority' (expected a number from 1 to "
        "65534)" } },
    { "rule priority text", "[rule \"R\"]\npriority = -5\ntarget = IMP\npattern = a\n",
      { "50-case.ini:2: invalid value '-5' for 'priority' (expected a number from 1 to 65534)" } },
    { "rule source unknown", R("pattern = a\nsource = IMP, Nowhere\n"),
      { "50-case.ini:5: unknown source zone 'Nowhere' in rule 'R'" } },
    { "rule source any mixed", R("pattern = a\nsource = any, IMP\n"),
      { "50-case.ini:5: invalid value 'any, IMP' for 'source' ('any' and 'all_zones' stand "
        "alone)" } },
    { "rule source empty", R("pattern = a\nsource =\n"),
      { "50-case.ini:5: invalid value '' for 'source' (expected any, all_zones or zone "
        "names)" } },
    { "rule traffic bad", R("pattern = a\ntraffic = ms\n"),
      { "50-case.ini:5: invalid value 'ms' for 'traffic' (expected any, standard, ms-any, "
        "ms-sip or ms-imp)" } },
    { "rule authenticated bad", R("pattern = a\nauthenticated = verified\n"),
      { "50-case.ini:5: invalid value 'verified' for 'authenticated' (expected on or off "
        "(yes/no, true/false))" } },
    { "rule mode bad", R("pattern = a\nmode = any\n"),
      { "50-case.ini:5: invalid value 'any' for 'mode' (expected alias_pattern or "
        "any_alias)" } },
    { "rule pattern_type bad", R("pattern = a\npattern_type = glob\n"),
      { "50-case.ini:5: invalid value 'glob' for 'pattern_type' (expected regex, prefix, suffix "
        "or exact)" } },
    { "rule behavior bad", R("pattern = a\nbehavior = drop\n"),
      { "50-case.ini:5: invalid value 'drop' for 'behavior' (expected leave, strip or "
        "replace)" } },
    { "rule replace beyond groups", R("pattern = (.*)@(.*)\nbehavior = replace\n"
                                      "replace = \\1@\\3\n"),
      { "50-case.ini:6: replace uses \\3 but the pattern has 2 capture groups" } },
    { "rule replace group with prefix", R("pattern_type = prefix\npattern = a\n"
                                          "behavior = replace\nreplace = \\1\n"),
      { "50-case.ini:7: replace uses \\1 but the pattern has 0 capture groups" } },
    { "rule replace missing", R("pattern = a\nbehavior = replace\n"),
      { "50-case.ini:1: behavior = replace needs a non-empty replace in [rule \"R\"]" } },
    { "rule replace ignored", R("pattern = a\nreplace = b\n"),
      { "50-case.ini:5: warning: replace is ignored unless behavior = replace in [rule "
        "\"R\"]" } },
    { "rule on_match bad", R("pattern = a\non_match = break\n"),
      { "50-case.ini:5: invalid value 'break' for 'on_match' (expected stop or continue)" } },
    { "rule target unknown", "[rule \"R\"]\npriority = 10\npattern = a\ntarget = DSN\n",
      { "50-case.ini:4: unknown target zone 'DSN' in rule 'R' (did you mean 'DNS'?)" } },
    { "rule target wrong case", "[rule \"R\"]\npriority = 10\npattern = a\ntarget = imp\n",
      { "50-case.ini:4: unknown target zone 'imp' in rule 'R' (did you mean 'IMP'?)" } },
    { "rule target default", "[rule \"R\"]\npriority = 10\npattern = a\ntarget = default\n",
      { "50-case.ini:4: target zone 'default' is the default zone, which cannot be a "
        "target" } },
    { "rule enabled bad", R("pattern = a\nenabled = 0\n"),
      { "50-case.ini:5: invalid value '0' for 'enabled' (expected on or off (yes/no, "
        "true/false))" } },
    { "rule unknown key", R("pattern = a\ndescription = x\n"),
      { "50-case.ini:5: unknown key 'description' in [rule \"R\"]" } },
    /* issue 12: did you mean, and the missing key right after the misspelt one */
    { "rule misspelt key", R("source = IMP\npatern = a\n"),
      { "50-case.ini:5: unknown key 'patern' in [rule \"R\"] (did you mean 'pattern'?)",
        "50-case.ini:5: missing required key 'pattern' in [rule \"R\"]" } },
    { "rule misspelt source zone", R("pattern = a\nsource = IPM\n"),
      { "50-case.ini:5: unknown source zone 'IPM' in rule 'R' (did you mean 'IMP'?)" } },
    { "indented key line", R("pattern = a\n  source = IMP\n"),
      { "50-case.ini:5: indented line 'source = ...' would continue the value of 'pattern': "
        "remove the indentation to make it a key" } },
    /* issue 12: patterns that can never match an alias */
    { "pattern with a # comment", R("source = IMP\npattern = .*@a\\.test # partner\n"),
      { "50-case.ini:5: warning: pattern '.*@a\\.test # partner' contains a blank, which no "
        "alias has, so it can never match: '#' starts no comment after a value, ' ;' does" } },
    { "pattern quoted", R("source = IMP\npattern = \".*@a\\.test\"\n"),
      { "50-case.ini:5: warning: pattern \".*@a\\.test\" is quoted: the quotes are part of the "
        "pattern and no alias has them, so it can never match; remove them" } },
    { "pattern uppercase host", R("source = IMP\npattern = .*@Example\\.test\n"),
      { "50-case.ini:5: warning: pattern '.*@Example\\.test' has uppercase letters in the host: "
        "aliases have their host lowercased, so it can never match; write it in lowercase" } },
    { "pattern \\e typo", R("source = IMP\npattern = .*@a\\example\\.test\n"),
      { "50-case.ini:5: warning: pattern '.*@a\\example\\.test' contains \\e (a "
        "control-character escape): did you mean '\\.e'?" } },
    { "pattern escaped in a suffix", R("source = IMP\npattern_type = suffix\n"
                                       "pattern = @a\\.test\n"),
      { "50-case.ini:6: warning: pattern '@a\\.test' has a backslash: pattern_type suffix takes "
        "the text literally (no escapes), so it can never match; write '.' not '\\.'" } },
    { "pattern uppercase that can match", R("source = IMP\n"
                                            "pattern = (?i).*@A\\.TEST|[A-Z]+@b\\.test|\\S+@c\\.t\n"),
      { NULL } },
    { "pattern uppercase user part", R("source = IMP\npattern = Alice@a\\.test\n"), { NULL } },
    { "rule duplicate key", R("pattern = a\npattern = b\n"),
      { "50-case.ini:5: duplicate key 'pattern' in [rule \"R\"] (first at line 4)" } },
    { "rule without name", "[rule]\npriority = 1\ntarget = IMP\npattern = a\n",
      { "50-case.ini:1: [rule] needs a name, e.g. [rule \"Outbound to Microsoft\"]" } },
    { "rule duplicate name", R("pattern = a\n") "[rule \"R\"]\npriority = 5\n",
      { "50-case.ini:5: duplicate rule 'R' (first declared at $D/50-case.ini:1)" } },
    { "rule invalid regex", R("pattern = a(b\n"),
      { "50-case.ini:4: invalid regex 'a(b': missing closing parenthesis at offset 3" } },
    /* The Cisco guide's text extraction (SPEC, issue 2): a lost '.' and '.*' become '\u',
     * '\l' and a leading '*'; '\.com' becomes '\com'. */
    { "cisco guide broken regex", R("pattern = *imp1-public\\uc\\local*\n"),
      { "50-case.ini:4: invalid regex '*imp1-public\\uc\\local*': quantifier does not follow a "
        "repeatable item at offset 0" } },
    { "cisco guide lost dot", "[rule \"R\"]\npriority = 10\nsource = IMP\ntarget = DNS\n"
                              "pattern = .*@msexample\\com\n",
      { "50-case.ini:5: warning: pattern '.*@msexample\\com' contains \\c (a control-character "
        "escape): did you mean '\\.c'?" } },
    { "rule escaped backslash is no \\c", R("pattern = a\\\\com\n"), { NULL } },
    { "rule any_alias open", "[rule \"R\"]\npriority = 10\ntarget = IMP\nmode = any_alias\n",
      { "50-case.ini:1: warning: rule 'R' matches any alias from any source and traffic type: "
        "restrict its source or traffic (denial-of-service risk)" } },
    { "rule any_alias restricted by source", R("mode = any_alias\nsource = DNS\n"), { NULL } },
    { "rule any_alias restricted by traffic", R("mode = any_alias\ntraffic = ms-imp\n"),
      { NULL } },
    { "rule any_alias pattern ignored", R("mode = any_alias\nsource = DNS\npattern = a\n"),
      { "50-case.ini:6: warning: pattern is ignored with mode = any_alias in [rule \"R\"]" } },
    { "rule open relay from any", "[rule \"R\"]\npriority = 10\ntarget = DNS\npattern = .*\n",
      { "50-case.ini:1: warning: rule 'R' lets the default zone reach DNS zone 'DNS' (an open "
        "relay): restrict its source" } },
    { "rule open relay from default", "[rule \"R\"]\npriority = 10\ntarget = DNS\n"
                                      "pattern = .*\nsource = IMP, default\n",
      { "50-case.ini:1: warning: rule 'R' lets the default zone reach DNS zone 'DNS' (an open "
        "relay): restrict its source" } },
    { "rule all_zones is no relay", "[rule \"R\"]\npriority = 10\ntarget = DNS\n"
                                    "pattern = .*\nsource = all_zones\n", { NULL } },
    { "rule disabled relay", "[rule \"R\"]\npriority = 10\ntarget = DNS\n"
                             "pattern = .*\nenabled = no\n", { NULL } },

    /* [federation] */
    { "federation ok", "[federation]\nlocal_domains = ciscoexample.test\nprivacy = deny_list\n"
                       "domains = a.test,\n  b.test\nopen_federation = on\n", { NULL } },
    { "federation privacy bad", "[federation]\nprivacy = allow\n",
      { "50-case.ini:2: invalid value 'allow' for 'privacy' (expected off, allow_list or "
        "deny_list)" } },
    { "federation domain pattern", "[federation]\ndomains = *.msexample.test\n",
      { "50-case.ini:2: invalid value '*.msexample.test' for 'domains' (expected a domain "
        "name; patterns are not allowed)" } },
    { "federation local_domains bad", "[federation]\nlocal_domains = 192.0.2.1\n",
      { "50-case.ini:2: invalid value '192.0.2.1' for 'local_domains' (expected a domain "
        "name; patterns are not allowed)" } },
    { "federation open bad", "[federation]\nopen_federation = maybe\n",
      { "50-case.ini:2: invalid value 'maybe' for 'open_federation' (expected on or off "
        "(yes/no, true/false))" } },
    { "federation twice", "[federation]\nprivacy = off\n[federation]\nprivacy = off\n",
      { "50-case.ini:3: [federation] declared again (first at $D/50-case.ini:1)" } },
    { "federation with a name", "[federation x]\n",
      { "50-case.ini:1: unknown section [federation x] ([federation] has no name)" } },
    { "federation unknown key", "[federation]\nallow = a.test\n",
      { "50-case.ini:2: unknown key 'allow' in [federation]" } },

    /* [static_route] */
    { "static route ok", "[static_route msexample.test]\nnext_hop = [2001:db8::1]:5061\n"
                         "transport = tcp\n", { NULL } },
    { "static route missing next_hop", "[static_route msexample.test]\ntransport = tls\n",
      { "50-case.ini:1: missing required key 'next_hop' in [static_route msexample.test]" } },
    { "static route bad next_hop", "[static_route msexample.test]\nnext_hop = sip.ms.test:x\n",
      { "50-case.ini:2: invalid value 'sip.ms.test:x' for 'next_hop' (the port must be a "
        "number from 1 to 65535)" } },
    { "static route empty next_hop", "[static_route msexample.test]\nnext_hop =\n",
      { "50-case.ini:2: invalid value '' for 'next_hop' (expected HOST[:PORT])" } },
    { "static route transport bad", "[static_route m.test]\nnext_hop = a.test\n"
                                    "transport = ws\n",
      { "50-case.ini:3: invalid value 'ws' for 'transport' (expected tls, tcp or udp)" } },
    { "static route bad domain", "[static_route 192.0.2.1]\nnext_hop = a.test\n",
      { "50-case.ini:1: [static_route 192.0.2.1] needs a domain name, e.g. [static_route "
        "msexample.test]" } },
    { "static route duplicate", "[static_route MSexample.test]\nnext_hop = a.test\n"
                                "[static_route msexample.TEST]\nnext_hop = b.test\n",
      { "50-case.ini:3: duplicate static route 'msexample.test' (first declared at "
        "$D/50-case.ini:1)" } },

    /* syntax */
    { "unknown section", "[zones IMP]\ntype = dns\n",
      { "50-case.ini:1: unknown section [zones IMP] (expected zone, rule, federation or "
        "static_route; did you mean zone?)" } },
    { "line without =", Z("dns", "fallback_a_record\n"),
      { "50-case.ini:3: expected 'key = value', a [section] header or a comment" } },
    { "header without ]", "[zone Z\ntype = dns\n[zone Y]\ntype = dns\n",
      { "50-case.ini:1: malformed section header: missing ']'" } },
    { "key outside section", "type = dns\n[zone Y]\ntype = dns\n",
      { "50-case.ini:1: key 'type' is outside any [section]" } },
    { "unterminated quote", "[rule \"R]\npriority = 1\ntarget = IMP\npattern = a\n",
      { "50-case.ini:1: unterminated quote in section header [rule \"R]" } },
    { "lone bracket", "[\n[zone Y]\ntype = dns\n",
      { "50-case.ini:1: malformed section header: missing ']'" } },
    { "empty header", "[]\n",
      { "50-case.ini:1: unknown section [] (expected zone, rule, federation or static_route)" } },
    { "empty key", Z("dns", "= _a._tcp\n"), { "50-case.ini:3: unknown key '' in [zone Z]" } },
    { "empty rule name", "[rule \"\"]\npriority = 1\n",
      { "50-case.ini:1: [rule \"\"] needs a name, e.g. [rule \"Outbound to Microsoft\"]" } },
    { "indented first key", "[zone Z]\n\ttype = dns\n  srv = _a._tcp\n",
      { "50-case.ini:3: indented line 'srv = ...' would continue the value of 'type': remove "
        "the indentation to make it a key" } },
    { "indented header", "[zone Z]\ntype = dns\n  [zone Y]\ntype = dns\n",
      { "50-case.ini:3: indented section header: remove the indentation",
        "50-case.ini:4: duplicate key 'type' in [zone Z] (first at line 2)" } },
    { "crlf and bom", "\xEF\xBB\xBF[zone Z]\r\ntype = dns\r\nsrv = _a._tcp\r\n", { NULL } },
    { "comments and blank lines", "; a comment\n# another\n\n[zone Z] ; trailing\n"
                                  "type = dns ; inline\n", { NULL } },
};

static void dp_case_run(const struct dp_case *tc)
{
    struct fixture f;
    struct dialplan *dp = (struct dialplan *)1;
    fixture_open(&f);
    fixture_write(&f, "00-base.ini", base_ini, 0644);
    fixture_write(&f, "50-case.ini", tc->text, 0644);
    int rc = dialplan_load(f.dir, f.d, &dp);
    print_message("case: %s\n", tc->name);
    fixture_diag_expect(&f, tc->expect);
    if (diag_error_count(f.d)) {
        assert_int_equal(rc, EINVAL);
        assert_null(dp);
    } else {
        assert_int_equal(rc, 0);
        assert_non_null(dp);
    }
    dialplan_free(dp);
    fixture_close(&f);
}

static void test_dialplan_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dp_cases / sizeof dp_cases[0]; i++)
        dp_case_run(&dp_cases[i]);
}

/* Load `files` (name, text pairs, NULL-terminated) and expect no error. */
static struct dialplan *dp_load_ok(struct fixture *f, const char *const *files)
{
    struct dialplan *dp = NULL;
    for (size_t i = 0; files[i]; i += 2)
        fixture_write(f, files[i], files[i + 1], 0644);
    int rc = dialplan_load(f->dir, f->d, &dp);
    if (rc)
        fixture_diag_print(f);
    assert_int_equal(rc, 0);
    assert_non_null(dp);
    return dp;
}

static void test_dialplan_defaults(void **state)
{
    (void)state;
    static const char *const files[] = {
        "a.ini", "[zone IMP]\ntype = neighbor\npeers = IMP1.CiscoExample.test:5062\n"
                 "[zone DNS]\ntype = dns\n"
                 "[rule \"R\"]\npriority = 7\ntarget = DNS\nsource = IMP\n"
                 "pattern = .*@msexample\\.test(;.*)?   ; comment after whitespace\n",
        NULL,
    };
    struct fixture f;
    fixture_open(&f);
    struct dialplan *dp = dp_load_ok(&f, files);
    assert_int_equal(diag_count(f.d), 0);
    assert_int_equal(dp->n_zones, 3);

    const struct zone *imp = dialplan_zone_find(dp, "IMP");
    assert_non_null(imp);
    assert_int_equal(imp->type, ZONE_NEIGHBOR);
    assert_int_equal(imp->line, 1);
    assert_int_equal(imp->n_peers, 1);
    assert_string_equal(imp->peers[0].host, "imp1.ciscoexample.test");
    assert_int_equal(imp->peers[0].port, 5062);
    assert_int_equal(imp->transport, SIP_TP_TLS);
    assert_true(imp->tls_verify);
    assert_true(imp->record_route);
    assert_false(imp->traffic_ms_imp);
    assert_int_equal(imp->authenticated, ZONE_AUTH_NO);
    assert_int_equal(imp->presence_format, PRESENCE_FORMAT_ASIS);
    assert_int_equal(imp->n_tls_verify_subject, 0);

    const struct zone *dns = dialplan_zone_find(dp, "DNS");
    assert_int_equal(dns->type, ZONE_DNS);
    assert_int_equal(dns->n_srv, 1);
    assert_string_equal(dns->srv[0], "_sipfederationtls._tcp");
    assert_false(dns->fallback_a_record);
    assert_true(dns->tls_verify);
    assert_int_equal(dns->transport, SIP_TP_TLS);

    const struct zone *def = dialplan_default_zone(dp);
    assert_non_null(def);
    assert_ptr_equal(def, dialplan_zone_find(dp, "default"));
    assert_int_equal(def->type, ZONE_DEFAULT);
    assert_null(def->file);
    assert_false(def->require_client_certificate);
    assert_int_equal(def->authenticated, ZONE_AUTH_NO);

    assert_int_equal(dp->n_rules, 1);
    const struct rule *r = dp->rules[0];
    assert_string_equal(r->name, "R");
    assert_int_equal(r->line, 6);
    assert_int_equal(r->priority, 7);
    assert_int_equal(r->source, RULE_SOURCE_NAMED);
    assert_int_equal(r->n_sources, 1);
    assert_ptr_equal(r->sources[0], imp);
    assert_ptr_equal(r->target, dns);
    assert_int_equal(r->traffic, TRAFFIC_ANY);
    assert_false(r->authenticated);
    assert_int_equal(r->mode, RULE_MODE_ALIAS_PATTERN);
    assert_int_equal(r->pattern_type, PATTERN_REGEX);
    assert_string_equal(r->pattern, ".*@msexample\\.test(;.*)?");
    assert_non_null(r->regex);
    assert_int_equal(r->behavior, BEHAVIOR_LEAVE);
    assert_null(r->replace);
    assert_int_equal(r->on_match, ON_MATCH_STOP);
    assert_true(r->enabled);

    assert_int_equal(dp->federation.privacy, PRIVACY_OFF);
    assert_false(dp->federation.open_federation);
    assert_int_equal(dp->federation.n_domains, 0);
    assert_int_equal(dp->n_static_routes, 0);
    dialplan_free(dp);
    fixture_close(&f);
}

static bool dp_regex_matches(const struct rule *r, const char *subject)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->regex, NULL);
    int rc = pcre2_match(r->regex, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc > 0;
}

/* SPEC §4.1: patterns match the whole alias. */
static void test_dialplan_regex_anchored(void **state)
{
    (void)state;
    static const char *const files[] = {
        "a.ini", "[zone DNS]\ntype = dns\n"
                 "[rule \"R\"]\npriority = 1\nsource = all_zones\ntarget = DNS\n"
                 "pattern = .*@msexample\\.test(;.*)?\n",
        NULL,
    };
    static const struct { const char *alias; bool match; } table[] = {
        { "bob@msexample.test", true },
        { "bob@msexample.test;transport=tls", true },
        { "bob@msexample.test.evil.test", false },
        { "bob@msexampleXtest", false },
        { "bob@partner.test", false },
    };
    struct fixture f;
    fixture_open(&f);
    struct dialplan *dp = dp_load_ok(&f, files);
    assert_int_equal(dp->rules[0]->source, RULE_SOURCE_ALL_ZONES);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        assert_int_equal(dp_regex_matches(dp->rules[0], table[i].alias), table[i].match);
    dialplan_free(dp);
    fixture_close(&f);
}

/* Priority first, then file name order, then line. */
static void test_dialplan_rule_order(void **state)
{
    (void)state;
    static const char *const files[] = {
        "b.ini", "[rule \"b1\"]\npriority = 50\ntarget = DNS\nsource = IMP\npattern = x\n"
                 "[rule \"b2\"]\npriority = 10\ntarget = DNS\nsource = IMP\npattern = x\n",
        "a.ini", "[zone DNS]\ntype = dns\n[zone IMP]\ntype = neighbor\npeers = i.test\n"
                 "[rule \"a1\"]\npriority = 50\ntarget = DNS\nsource = IMP\npattern = x\n"
                 "[rule \"a2\"]\npriority = 10\ntarget = DNS\nsource = IMP\npattern = x\n",
        "c.ini.disabled", "this is not loaded",
        NULL,
    };
    static const char *const order[] = { "a2", "b2", "a1", "b1" };
    struct fixture f;
    fixture_open(&f);
    struct dialplan *dp = dp_load_ok(&f, files);
    assert_int_equal(dp->n_rules, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(dp->rules[i]->name, order[i]);
    /* zones in declaration order, the implicit default last */
    assert_string_equal(dp->zones[0]->name, "DNS");
    assert_string_equal(dp->zones[2]->name, "default");
    dialplan_free(dp);
    fixture_close(&f);
}

static void test_dialplan_values_lowercased(void **state)
{
    (void)state;
    static const char *const files[] = {
        "a.ini", "[zone IMP]\ntype = neighbor\npeers = A.Test, [2001:DB8::1]:5061\n"
                 "tls_verify_subject = IMP1.Test,\n    IMP2.test\n"
                 "[federation]\nlocal_domains = CiscoExample.TEST\nprivacy = allow_list\n"
                 "domains = MSexample.test, partner.test\n"
                 "[static_route MSexample.test]\nnext_hop = SIP.MSexample.test:5061\n",
        NULL,
    };
    struct fixture f;
    fixture_open(&f);
    struct dialplan *dp = dp_load_ok(&f, files);
    const struct zone *imp = dialplan_zone_find(dp, "IMP");
    assert_int_equal(imp->n_peers, 2);
    assert_string_equal(imp->peers[0].host, "a.test");
    assert_int_equal(imp->peers[0].port, 0);
    assert_string_equal(imp->peers[1].host, "2001:db8::1");
    assert_int_equal(imp->peers[1].port, 5061);
    assert_int_equal(imp->n_tls_verify_subject, 2);
    assert_string_equal(imp->tls_verify_subject[0], "imp1.test");
    assert_string_equal(imp->tls_verify_subject[1], "imp2.test");
    assert_int_equal(dp->federation.privacy, PRIVACY_ALLOW_LIST);
    assert_int_equal(dp->federation.n_domains, 2);
    assert_string_equal(dp->federation.domains[0], "msexample.test");
    assert_true(dialplan_is_local_domain(dp, "ciscoexample.test"));
    assert_true(dialplan_is_local_domain(dp, "CISCOEXAMPLE.test"));
    assert_false(dialplan_is_local_domain(dp, "msexample.test"));
    const struct static_route *sr = dialplan_static_route_find(dp, "msexample.TEST");
    assert_non_null(sr);
    assert_string_equal(sr->domain, "msexample.test");
    assert_string_equal(sr->next_hop.host, "sip.msexample.test");
    assert_int_equal(sr->next_hop.port, 5061);
    assert_int_equal(sr->transport, SIP_TP_TLS);
    assert_int_equal(sr->line, 10);
    assert_null(dialplan_static_route_find(dp, "partner.test"));
    /* the one static-route look-up: a trailing root dot names the same domain */
    assert_ptr_equal(dialplan_static_route_find(dp, "msexample.test."), sr);
    assert_null(dialplan_static_route_find(dp, "msexample.test.."));
    assert_null(dialplan_static_route_find(dp, "sub.msexample.test"));
    dialplan_free(dp);
    fixture_close(&f);
}

/* One run reports every error of every file, each at its own file:line, in reading order
 * (cross-file checks such as an unknown target included). */
static void test_dialplan_all_errors_in_one_run(void **state)
{
    (void)state;
    struct fixture f;
    struct dialplan *dp = NULL;
    fixture_open(&f);
    fixture_write(&f, "10-zones.ini", "[zone IMP]\ntype = neighbor\n"
                                      "peers = imp1.test:99999\n[zone DNS]\ntype = dns\n"
                                      "srv = _sipfederationtls._tcp\n", 0644);
    fixture_write(&f, "20-rules.ini", "[rule \"A\"]\npriority = 100000\ntarget = DNS\n"
                                      "source = IMP\npattern = *imp1-public\\uc\\local*\n"
                                      "[rule \"B\"]\npriority = 20\ntarget = DSN\n"
                                      "pattern = .*@msexample\\com\n"
                                      "[bogus]\n", 0644);
    static const char *const expect[] = {
        "10-zones.ini:3: invalid value 'imp1.test:99999' for 'peers' (the port must be a number "
        "from 1 to 65535)",
        "20-rules.ini:2: invalid value '100000' for 'priority' (expected a number from 1 to "
        "65534)",
        "20-rules.ini:5: invalid regex '*imp1-public\\uc\\local*': quantifier does not follow a "
        "repeatable item at offset 0",
        "20-rules.ini:8: unknown target zone 'DSN' in rule 'B' (did you mean 'DNS'?)",
        "20-rules.ini:9: warning: pattern '.*@msexample\\com' contains \\c (a control-character "
        "escape): did you mean '\\.c'?",
        "20-rules.ini:10: unknown section [bogus] (expected zone, rule, federation or "
        "static_route)",
        NULL,
    };
    assert_int_equal(dialplan_load(f.dir, f.d, &dp), EINVAL);
    assert_null(dp);
    fixture_diag_expect(&f, expect);
    assert_int_equal(diag_error_count(f.d), 5);
    fixture_close(&f);
}

static void test_dialplan_directory_problems(void **state)
{
    (void)state;
    struct fixture f;
    struct dialplan *dp = NULL;
    char missing[128];
    fixture_open(&f);
    fixture_write(&f, "readme.txt", "not a dial plan\n", 0644);
    assert_int_equal(dialplan_load(f.dir, f.d, &dp), EINVAL);
    static const char *const empty[] = {
        "$D: no dial-plan files (*.ini) in this directory", NULL,
    };
    fixture_diag_expect(&f, empty);

    snprintf(missing, sizeof missing, "%s/nope", f.dir);
    struct diag *d2 = diag_new(f.home);
    assert_int_equal(dialplan_load(missing, d2, &dp), EINVAL);
    assert_int_equal(diag_error_count(d2), 1);
    assert_string_equal(diag_get(d2, 0)->msg,
                        "cannot read the dial-plan directory: No such file or directory");
    assert_null(dp);
    fixture_close(&f);
}

static void test_dialplan_unreadable_file(void **state)
{
    (void)state;
    struct fixture f;
    struct dialplan *dp = NULL;
    char path[128];
    fixture_open(&f);
    fixture_write(&f, "a.ini", "[zone DNS]\ntype = dns\n", geteuid() == 0 ? 0644 : 0);
    snprintf(path, sizeof path, "%s/b.ini", f.dir);
    assert_int_equal(symlink("/nonexistent/sipfed.ini", path), 0);
    snprintf(path, sizeof path, "%s/c.ini", f.dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(dialplan_load(f.dir, f.d, &dp), EINVAL);
    static const char *const as_root[] = {
        "b.ini: cannot open: No such file or directory",
        "c.ini: not a regular file",
        NULL,
    };
    static const char *const as_user[] = {
        "a.ini: cannot open: Permission denied",
        "b.ini: cannot open: No such file or directory",
        "c.ini: not a regular file",
        NULL,
    };
    fixture_diag_expect(&f, geteuid() == 0 ? as_root : as_user);   /* root reads every file */
    fixture_close(&f);
}

static void test_dialplan_line_too_long(void **state)
{
    (void)state;
    static char text[17000];
    memset(text, 0, sizeof text);
    strcpy(text, "[zone DNS]\ntype = dns\nsrv = _a._tcp");
    for (size_t i = strlen(text); i < 16500; i++)
        text[i] = 'x';
    strcat(text, "\nfallback_a_record = on\n");
    struct fixture f;
    struct dialplan *dp = NULL;
    fixture_open(&f);
    fixture_write(&f, "a.ini", text, 0644);
    assert_int_equal(dialplan_load(f.dir, f.d, &dp), EINVAL);
    static const char *const expect[] = {
        "a.ini:3: line too long (at most 16382 characters): split a list over indented lines",
        NULL,
    };
    fixture_diag_expect(&f, expect);
    fixture_close(&f);
}

/* Issue 11: a pattern listing twenty partner domains (about 2 000 characters) on one line. */
static void test_dialplan_long_pattern_line(void **state)
{
    (void)state;
    char text[4096], alt[2600] = "";
    for (int i = 0; i < 20; i++) {
        char dom[128];
        snprintf(dom, sizeof dom, "%spartner-number-%02d-with-a-rather-long-organisation-and-division-name\\.example\\.com", i ? "|" : "",
                 i);
        strcat(alt, dom);
    }
    snprintf(text, sizeof text, "[zone IMP]\ntype = neighbor\npeers = 192.0.2.1\n"
             "[rule \"partners\"]\npriority = 10\nsource = IMP\npattern = .*@(%s)\n"
             "target = IMP\n", alt);
    assert_true(strlen(alt) > 1600);   /* the line is longer than 1 700 characters */
    struct fixture f;
    struct dialplan *dp = NULL;
    fixture_open(&f);
    fixture_write(&f, "a.ini", text, 0644);
    assert_int_equal(dialplan_load(f.dir, f.d, &dp), 0);
    assert_int_equal(dp->n_rules, 1);
    dialplan_free(dp);
    fixture_close(&f);
}

/* Issue 2's acceptance: the Cisco guide's rules as its text extraction prints them. */
static void test_dialplan_cisco_guide_as_printed(void **state)
{
    (void)state;
    char dir[256];
    const char *slash = strrchr(__FILE__, '/');
    snprintf(dir, sizeof dir, "%.*s/data/loader/cisco-guide", (int)(slash - __FILE__), __FILE__);
    su_home_t *home = su_home_new(sizeof *home);
    struct diag *d = diag_new(home);
    struct dialplan *dp = NULL;
    char buf[512], want[512];
    assert_int_equal(dialplan_load(dir, d, &dp), EINVAL);
    assert_null(dp);
    assert_int_equal(diag_count(d), 2);
    assert_int_equal(diag_error_count(d), 1);
    diag_format(diag_get(d, 0), buf, sizeof buf);
    snprintf(want, sizeof want, "%s/20-rules.ini:7: invalid regex '*imp1-public\\uc\\local*': "
             "quantifier does not follow a repeatable item at offset 0", dir);
    assert_string_equal(buf, want);
    diag_format(diag_get(d, 1), buf, sizeof buf);
    snprintf(want, sizeof want, "%s/20-rules.ini:13: warning: pattern '.*@msexample\\com' "
             "contains \\c (a control-character escape): did you mean '\\.c'?", dir);
    assert_string_equal(buf, want);
    su_home_unref(home);
}

/* Section headers longer than inih's own limit (50) keep their whole name. */
static void test_dialplan_long_names(void **state)
{
    (void)state;
    char zone[121], text[600];
    memset(zone, 'z', sizeof zone - 1);
    zone[sizeof zone - 1] = '\0';
    snprintf(text, sizeof text, "[zone %s]\ntype = dns\n"
             "[rule \"%s rule\"]\npriority = 1\nsource = all_zones\npattern = x\ntarget = %s\n",
             zone, zone, zone);
    const char *const files[] = { "a.ini", text, NULL };
    struct fixture f;
    fixture_open(&f);
    struct dialplan *dp = dp_load_ok(&f, files);
    assert_int_equal(diag_count(f.d), 0);
    assert_non_null(dialplan_zone_find(dp, zone));
    assert_ptr_equal(dp->rules[0]->target, dialplan_zone_find(dp, zone));
    assert_int_equal(strlen(dp->rules[0]->name), strlen(zone) + 5);
    dialplan_free(dp);
    fixture_close(&f);
}

static void test_dialplan_tls_check(void **state)
{
    (void)state;
    static const char *const files[] = {
        "a.ini", "[zone IMP]\ntype = neighbor\npeers = i.test\ntransport = tcp\n"
                 "[zone TLS]\ntype = neighbor\npeers = j.test\n"
                 "[zone DNS]\ntype = dns\n"
                 "[static_route m.test]\nnext_hop = s.m.test\ntransport = tcp\n",
        NULL,
    };
    struct fixture f;
    fixture_open(&f);
    struct dialplan *dp = dp_load_ok(&f, files);
    struct node_config cfg = { .file = "node.ini" };
    dialplan_tls_check(dp, &cfg, f.d);
    static const char *const expect[] = {
        "a.ini:5: zone 'TLS' uses TLS but node.ini has no [tls] section",
        "a.ini:8: zone 'DNS' uses TLS but node.ini has no [tls] section",
        NULL,
    };
    fixture_diag_expect(&f, expect);
    cfg.tls.present = true;
    dialplan_tls_check(dp, &cfg, f.d);
    assert_int_equal(diag_count(f.d), 2);
    dialplan_free(dp);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialplan_cases),
        cmocka_unit_test(test_dialplan_defaults),
        cmocka_unit_test(test_dialplan_regex_anchored),
        cmocka_unit_test(test_dialplan_rule_order),
        cmocka_unit_test(test_dialplan_values_lowercased),
        cmocka_unit_test(test_dialplan_all_errors_in_one_run),
        cmocka_unit_test(test_dialplan_directory_problems),
        cmocka_unit_test(test_dialplan_unreadable_file),
        cmocka_unit_test(test_dialplan_line_too_long),
        cmocka_unit_test(test_dialplan_long_pattern_line),
        cmocka_unit_test(test_dialplan_cisco_guide_as_printed),
        cmocka_unit_test(test_dialplan_long_names),
        cmocka_unit_test(test_dialplan_tls_check),
    };
    return cmocka_run_group_tests_name("dialplan", tests, NULL, NULL);
}
