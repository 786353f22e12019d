/* test_presence_parse.c — every body format read into the canonical state (PRESENCE.md §3 and
 * the §7 vectors), format detection, multipart batches, and the hostile inputs: DTDs, entity
 * bombs, malformed XML, bodies over 64 KiB, namespace tricks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "presence.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define CATS_OPEN "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" " \
                  "uri=\"sip:bob@fabrikam.com\">"
#define STATE_OPEN(type) "<category name=\"state\" instance=\"1\" container=\"400\" version=\"3\">" \
    "<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" " \
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" manual=\"false\" xsi:type=\"" type "\">"
#define STATE_CLOSE "</state></category>"
#define CATS_STATE(avail) CATS_OPEN STATE_OPEN("aggregateState") "<availability>" avail \
    "</availability>" STATE_CLOSE "</categories>"

#define PIDF_OPEN "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" " \
    "xmlns:ep=\"urn:ietf:params:xml:ns:pidf:status:rpid-status\" " \
    "xmlns:ci=\"urn:ietf:params:xml:ns:pidf:cipid\" entity=\"sip:frank@fabrikam.com\">"
#define PIDF_EP(basic, act) PIDF_OPEN "<tuple id=\"0\"><status><basic>" basic "</basic>" \
    "<ep:activities><ep:activity>" act "</ep:activity></ep:activities></status></tuple></presence>"
#define RPID(basic, act) "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" " \
    "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" " \
    "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"pres:g@example.com\">" \
    "<tuple id=\"t\"><status><basic>" basic "</basic></status></tuple>" \
    "<dm:person id=\"p\"><rpid:activities>" act "</rpid:activities></dm:person></presence>"

#define MSRTC(avail, act) "<presence xmlns=\"http://schemas.microsoft.com/2002/09/sip/presence\">" \
    "<presentity uri=\"sip:erin@fabrikam.com\"><availability aggregate=\"" avail "\"/>" \
    "<activity aggregate=\"" act "\"/></presentity></presence>"

#define XPIDF(status, sub) "<?xml version=\"1.0\"?>\n<!DOCTYPE presence PUBLIC " \
    "\"-//IETF//DTD RFCxxxx XPIDF 1.0//EN\" \"xpidf.dtd\">\n<presence>" \
    "<presentity uri=\"sip:heidi@fabrikam.com;method=SUBSCRIBE\"/><atom id=\"1000\">" \
    "<address uri=\"sip:heidi@fabrikam.com;user=ip\" priority=\"0.800000\">" \
    "<status status=\"" status "\"/><msnsubstatus substatus=\"" sub "\"/></address></atom></presence>"

struct vector {
    const char *name;
    enum presence_doc_format fmt;
    const char *body;
    int err;
    enum presence_state state;
    enum presence_activity act;
    const char *note;          /* NULL: don't check */
    const char *display;
    const char *entity;
};

static const struct vector vectors[] = {
    /* --- application/msrtc-event-categories+xml --- */
    { "issue example (unprefixed type=)", PRESENCE_FMT_CATEGORIES,
      "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\"><category name=\"state\">"
      "<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" type=\"aggregateState\">"
      "<availability>15500</availability></state></category></categories>",
      0, PRESENCE_AWAY, PRESENCE_ACT_NONE, "", "", "" },
    { "categories 15500 + custom text (§7)", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN STATE_OPEN("aggregateState") "<availability>15500</availability>"
      "<activity><custom LCID=\"1033\">Out of office until next week</custom></activity>"
      STATE_CLOSE "</categories>",
      0, PRESENCE_AWAY, PRESENCE_ACT_NONE, "Out of office until next week", "", "sip:bob@fabrikam.com" },
    { "categories 3500", PRESENCE_FMT_CATEGORIES, CATS_STATE("3500"), 0, PRESENCE_AVAILABLE, 0, "", "", NULL },
    { "categories 4500", PRESENCE_FMT_CATEGORIES, CATS_STATE("4500"), 0, PRESENCE_AVAILABLE_IDLE, 0, NULL, NULL, NULL },
    { "categories 6500 on-the-phone", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN STATE_OPEN("aggregateState") "<availability>6500</availability>"
      "<activity token=\"on-the-phone\" minAvailability=\"6500\" maxAvailability=\"8999\"/>"
      STATE_CLOSE "</categories>", 0, PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE, "", NULL, NULL },
    { "categories 9500", PRESENCE_FMT_CATEGORIES, CATS_STATE(" 9500 "), 0, PRESENCE_DND, 0, NULL, NULL, NULL },
    { "categories 12500", PRESENCE_FMT_CATEGORIES, CATS_STATE("12500"), 0, PRESENCE_BRB, 0, NULL, NULL, NULL },
    { "categories 18500", PRESENCE_FMT_CATEGORIES, CATS_STATE("18500"), 0, PRESENCE_OFFLINE, 0, NULL, NULL, NULL },
    { "categories 0", PRESENCE_FMT_CATEGORIES, CATS_STATE("0"), 0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "categories not a number", PRESENCE_FMT_CATEGORIES, CATS_STATE("busy"), 0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "categories -1", PRESENCE_FMT_CATEGORIES, CATS_STATE("-1"), 0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "categories out of range", PRESENCE_FMT_CATEGORIES, CATS_STATE("99999999999"), 0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "categories aggregate wins over user state", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN STATE_OPEN("userState") "<availability>3500</availability>"
      "<activity><custom>user note</custom></activity>" STATE_CLOSE
      STATE_OPEN("aggregateState") "<availability>12500</availability>" STATE_CLOSE "</categories>",
      0, PRESENCE_BRB, 0, "", NULL, NULL },
    { "categories dndState is not the state category", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN "<category name=\"dndState\"><state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\">"
      "<availability>9500</availability></state></category></categories>",
      0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "legacyInterop 8400 + token (§2)", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN "<category name=\"legacyInterop\"><legacyInterop availability=\"8400\" "
      "token=\"urgent-interruptions-only\" xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\"/>"
      "</category></categories>",
      0, PRESENCE_BUSY_IDLE, PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY, NULL, NULL, NULL },
    { "categories note and contactCard only", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN "<category name=\"note\"><note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\">"
      "<body type=\"personal\" uri=\"\">Lunch</body></note></category>"
      "<category name=\"contactCard\"><contactCard xmlns=\"http://schemas.microsoft.com/2006/09/sip/contactcard\">"
      "<identity><name><displayName>Bob M\xc3\xbcller</displayName></name></identity></contactCard></category>"
      "</categories>",
      0, PRESENCE_UNKNOWN, 0, "Lunch", "Bob M\xc3\xbcller", "sip:bob@fabrikam.com" },
    { "categories state not a category's own value", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN "<category name=\"state\"><wrap><state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\">"
      "<availability>3500</availability></state></wrap></category></categories>",
      0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "categories state in a wrong namespace", PRESENCE_FMT_CATEGORIES,
      CATS_OPEN "<category name=\"state\"><state xmlns=\"http://example.com/state\">"
      "<availability>3500</availability></state></category></categories>",
      0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "categories with an odd prefix", PRESENCE_FMT_CATEGORIES,
      "<c:categories xmlns:c=\"http://schemas.microsoft.com/2006/09/sip/categories\"><c:category name=\"state\">"
      "<zz:state xmlns:zz=\"http://schemas.microsoft.com/2006/09/sip/state\"><zz:availability>6000"
      "</zz:availability></zz:state></c:category></c:categories>",
      0, PRESENCE_BUSY, 0, NULL, NULL, NULL },
    { "categories: PIDF given", PRESENCE_FMT_CATEGORIES, PIDF_EP("open", "busy"), EPROTONOSUPPORT,
      PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },

    /* --- text/xml+msrtc.pidf --- */
    { "msrtc 300/400 (§7)", PRESENCE_FMT_MSRTC, MSRTC("300", "400"), 0, PRESENCE_AVAILABLE, 0, "", "", "sip:erin@fabrikam.com" },
    { "msrtc offline", PRESENCE_FMT_MSRTC, MSRTC("0", "400"), 0, PRESENCE_OFFLINE, 0, NULL, NULL, NULL },
    { "msrtc 299", PRESENCE_FMT_MSRTC, MSRTC("299", "400"), 0, PRESENCE_OFFLINE, 0, NULL, NULL, NULL },
    { "msrtc away 100", PRESENCE_FMT_MSRTC, MSRTC("300", "100"), 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "msrtc lunch 150", PRESENCE_FMT_MSRTC, MSRTC("300", "150"), 0, PRESENCE_AWAY, PRESENCE_ACT_OUT_TO_LUNCH, NULL, NULL, NULL },
    { "msrtc idle 200", PRESENCE_FMT_MSRTC, MSRTC("300", "200"), 0, PRESENCE_AVAILABLE_IDLE, 0, NULL, NULL, NULL },
    { "msrtc brb 300", PRESENCE_FMT_MSRTC, MSRTC("300", "300"), 0, PRESENCE_BRB, 0, NULL, NULL, NULL },
    { "msrtc available 499", PRESENCE_FMT_MSRTC, MSRTC("300", "499"), 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "msrtc phone 500", PRESENCE_FMT_MSRTC, MSRTC("300", "500"), 0, PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE, NULL, NULL, NULL },
    { "msrtc busy 600", PRESENCE_FMT_MSRTC, MSRTC("300", "600"), 0, PRESENCE_BUSY, 0, NULL, NULL, NULL },
    { "msrtc away 700", PRESENCE_FMT_MSRTC, MSRTC("300", "700"), 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "msrtc 800", PRESENCE_FMT_MSRTC, MSRTC("300", "800"), 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "msrtc note and name, device ignored", PRESENCE_FMT_MSRTC,
      "<presence xmlns=\"http://schemas.microsoft.com/2002/09/sip/presence\"><presentity uri=\"sip:e@f.com\">"
      "<availability aggregate=\"300\"/><activity aggregate=\"600\"/><displayName displayName=\"Erin &amp; Co\"/>"
      "<userInfo><note>back at 3</note></userInfo><devices><devicePresence><availability aggregate=\"0\"/>"
      "</devicePresence></devices></presentity></presence>",
      0, PRESENCE_BUSY, 0, "back at 3", "Erin & Co", "sip:e@f.com" },

    { "msrtc presentity root (MS-SIP 2.2.1)", PRESENCE_FMT_MSRTC,
      "<presentity xmlns=\"http://schemas.microsoft.com/2002/09/sip/presence\" uri=\"sip:e@f.com\">"
      "<availability aggregate=\"300\"/><activity aggregate=\"600\"/></presentity>",
      0, PRESENCE_BUSY, 0, NULL, NULL, "sip:e@f.com" },
    { "msrtc presentity root, XSD namespace spelling", PRESENCE_FMT_MSRTC,
      "<presentity xmlns=\"http://schemas.microsoft.com/09/2002/sip/presence\" uri=\"sip:e@f.com\">"
      "<availability aggregate=\"300\"/><activity aggregate=\"100\"/>"
      "<userInfo><note>lunch</note></userInfo></presentity>",
      0, PRESENCE_AWAY, 0, "lunch", NULL, "sip:e@f.com" },
    { "msrtc: foreign root", PRESENCE_FMT_MSRTC,
      "<presentity xmlns=\"urn:x\"><availability aggregate=\"300\"/></presentity>",
      EPROTONOSUPPORT, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },

    /* --- application/pidf+xml --- */
    { "pidf ep busy (§7)", PRESENCE_FMT_PIDF, PIDF_EP("open", "busy"), 0, PRESENCE_BUSY, 0, "", "", "sip:frank@fabrikam.com" },
    { "pidf ep on-the-phone", PRESENCE_FMT_PIDF, PIDF_EP("open", "on-the-phone"), 0, PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE, NULL, NULL, NULL },
    { "pidf ep in-a-meeting", PRESENCE_FMT_PIDF, PIDF_EP("open", "in-a-meeting"), 0, PRESENCE_BUSY, PRESENCE_ACT_IN_A_MEETING, NULL, NULL, NULL },
    { "pidf ep in-a-conference", PRESENCE_FMT_PIDF, PIDF_EP("open", "in-a-conference"), 0, PRESENCE_BUSY, PRESENCE_ACT_IN_A_CONFERENCE, NULL, NULL, NULL },
    { "pidf ep in-presentation", PRESENCE_FMT_PIDF, PIDF_EP("open", "in-presentation"), 0, PRESENCE_DND, PRESENCE_ACT_IN_PRESENTATION, NULL, NULL, NULL },
    { "pidf ep do-not-disturb", PRESENCE_FMT_PIDF, PIDF_EP("open", "do-not-disturb"), 0, PRESENCE_DND, 0, NULL, NULL, NULL },
    { "pidf ep dnd", PRESENCE_FMT_PIDF, PIDF_EP("open", "dnd"), 0, PRESENCE_DND, 0, NULL, NULL, NULL },
    { "pidf ep urgent", PRESENCE_FMT_PIDF, PIDF_EP("open", "urgent-interruptions-only"), 0, PRESENCE_DND, PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY, NULL, NULL, NULL },
    { "pidf ep be-right-back", PRESENCE_FMT_PIDF, PIDF_EP("open", "be-right-back"), 0, PRESENCE_BRB, 0, NULL, NULL, NULL },
    { "pidf ep away", PRESENCE_FMT_PIDF, PIDF_EP("open", "away"), 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "pidf ep out-of-office", PRESENCE_FMT_PIDF, PIDF_EP("open", "out-of-office"), 0, PRESENCE_AWAY, PRESENCE_ACT_OUT_OF_OFFICE, NULL, NULL, NULL },
    { "pidf ep out-to-lunch", PRESENCE_FMT_PIDF, PIDF_EP("open", "out-to-lunch"), 0, PRESENCE_AWAY, PRESENCE_ACT_OUT_TO_LUNCH, NULL, NULL, NULL },
    { "pidf ep vacation", PRESENCE_FMT_PIDF, PIDF_EP("open", "vacation"), 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "pidf ep holiday", PRESENCE_FMT_PIDF, PIDF_EP("open", "holiday"), 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "pidf ep idle", PRESENCE_FMT_PIDF, PIDF_EP("open", "idle"), 0, PRESENCE_AVAILABLE_IDLE, 0, NULL, NULL, NULL },
    { "pidf ep inactive", PRESENCE_FMT_PIDF, PIDF_EP("open", "inactive"), 0, PRESENCE_AVAILABLE_IDLE, 0, NULL, NULL, NULL },
    { "pidf ep unknown token", PRESENCE_FMT_PIDF, PIDF_EP("open", "juggling"), 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "pidf closed ignores activity", PRESENCE_FMT_PIDF, PIDF_EP("closed", "busy"), 0, PRESENCE_OFFLINE, 0, NULL, NULL, NULL },
    { "pidf no basic", PRESENCE_FMT_PIDF, PIDF_OPEN "<tuple id=\"a\"><status/></tuple></presence>", 0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "pidf any tuple open", PRESENCE_FMT_PIDF,
      PIDF_OPEN "<tuple id=\"a\"><status><basic>closed</basic></status></tuple>"
      "<tuple id=\"b\"><status><basic>open</basic></status></tuple></presence>", 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "pidf ep prefix bound to a wrong namespace", PRESENCE_FMT_PIDF,
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:ep=\"urn:example:not-rpid\" entity=\"sip:a@b\">"
      "<tuple id=\"0\"><status><basic>open</basic><ep:activities><ep:activity>busy</ep:activity>"
      "</ep:activities></status></tuple></presence>", 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "pidf rpid-status under another prefix", PRESENCE_FMT_PIDF,
      "<p:presence xmlns:p=\"urn:ietf:params:xml:ns:pidf\" xmlns:x=\"urn:ietf:params:xml:ns:pidf:status:rpid-status\">"
      "<p:tuple id=\"0\"><p:status><p:basic>open</p:basic><x:activities><x:activity> away </x:activity>"
      "</x:activities></p:status></p:tuple></p:presence>", 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "rfc4480 on-the-phone + notes", PRESENCE_FMT_PIDF,
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "
      "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"pres:g@example.com\">"
      "<tuple id=\"t\"><status><basic>open</basic></status><note>tuple note</note></tuple>"
      "<dm:person id=\"p\"><rpid:activities><rpid:on-the-phone/></rpid:activities><dm:note>dm note</dm:note></dm:person>"
      "</presence>", 0, PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE, "tuple note", "", "pres:g@example.com" },
    { "rfc4480 first known token wins", PRESENCE_FMT_PIDF, RPID("open", "<rpid:other>x</rpid:other><rpid:away/><rpid:busy/>"),
      0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "rfc4480 meeting (sipfed)", PRESENCE_FMT_PIDF, RPID("open", "<rpid:meeting/>"), 0, PRESENCE_BUSY, PRESENCE_ACT_IN_A_MEETING, NULL, NULL, NULL },
    { "rfc4480 unknown", PRESENCE_FMT_PIDF, RPID("open", "<rpid:unknown/>"), 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "pidf presence note first, dm:note last", PRESENCE_FMT_PIDF,
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\">"
      "<tuple id=\"t\"><status><basic>open</basic></status></tuple><dm:person><dm:note>dm</dm:note></dm:person>"
      "<note>top</note></presence>", 0, PRESENCE_AVAILABLE, 0, "top", NULL, NULL },
    { "pidf dm:note alone", PRESENCE_FMT_PIDF,
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\">"
      "<tuple id=\"t\"><status><basic>open</basic></status></tuple><dm:person><dm:note>dm</dm:note></dm:person>"
      "</presence>", 0, PRESENCE_AVAILABLE, 0, "dm", NULL, NULL },
    { "pidf MS number wins over basic", PRESENCE_FMT_PIDF,
      PIDF_OPEN "<tuple id=\"0\"><status><basic>open</basic></status></tuple>"
      "<legacyInterop xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" availability=\"8400\" "
      "token=\"urgent-interruptions-only\"/></presence>",
      0, PRESENCE_BUSY_IDLE, PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY, NULL, NULL, NULL },
    { "pidf MS number 0 falls back to basic/activity", PRESENCE_FMT_PIDF,
      PIDF_OPEN "<tuple id=\"0\"><status><basic>open</basic><ep:activities><ep:activity>away</ep:activity>"
      "</ep:activities></status></tuple><legacyInterop xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" "
      "availability=\"0\"/></presence>", 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "pidf display-name", PRESENCE_FMT_PIDF,
      PIDF_OPEN "<tuple id=\"0\"><status><basic>open</basic></status></tuple><ci:display-name>Frank &lt;F&gt;"
      "</ci:display-name></presence>", 0, PRESENCE_AVAILABLE, 0, NULL, "Frank <F>", NULL },

    /* --- application/xpidf+xml --- */
    { "xpidf online", PRESENCE_FMT_XPIDF, XPIDF("open", "online"), 0, PRESENCE_AVAILABLE, 0, NULL, NULL,
      "sip:heidi@fabrikam.com;method=SUBSCRIBE" },
    { "xpidf unknown", PRESENCE_FMT_XPIDF, XPIDF("open", "unknown"), 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "xpidf idle", PRESENCE_FMT_XPIDF, XPIDF("open", "idle"), 0, PRESENCE_AVAILABLE_IDLE, 0, NULL, NULL, NULL },
    { "xpidf busy", PRESENCE_FMT_XPIDF, XPIDF("open", "busy"), 0, PRESENCE_BUSY, 0, NULL, NULL, NULL },
    { "xpidf onthephone", PRESENCE_FMT_XPIDF, XPIDF("open", "onthephone"), 0, PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE, NULL, NULL, NULL },
    { "xpidf berightback", PRESENCE_FMT_XPIDF, XPIDF("open", "berightback"), 0, PRESENCE_BRB, 0, NULL, NULL, NULL },
    { "xpidf away", PRESENCE_FMT_XPIDF, XPIDF("open", "away"), 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "xpidf outtolunch", PRESENCE_FMT_XPIDF, XPIDF("open", "outtolunch"), 0, PRESENCE_AWAY, PRESENCE_ACT_OUT_TO_LUNCH, NULL, NULL, NULL },
    { "xpidf closed", PRESENCE_FMT_XPIDF, XPIDF("closed", "online"), 0, PRESENCE_OFFLINE, 0, NULL, NULL, NULL },
    { "xpidf DOCTYPE with a subset refused", PRESENCE_FMT_XPIDF,
      "<!DOCTYPE presence [<!ENTITY x \"y\">]><presence/>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "xpidf other external DTD refused", PRESENCE_FMT_XPIDF,
      "<!DOCTYPE presence SYSTEM \"file:///etc/passwd\"><presence/>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },

    /* --- XMPP stanzas --- */
    { "xmpp no show", PRESENCE_FMT_XMPP, "<presence xmlns=\"jabber:client\" from=\"a@cisco.example/r\"/>",
      0, PRESENCE_AVAILABLE, 0, "", "", "a@cisco.example/r" },
    { "xmpp chat", PRESENCE_FMT_XMPP, "<presence><show>chat</show></presence>", 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "xmpp away", PRESENCE_FMT_XMPP, "<presence xmlns=\"jabber:server\"><show>away</show></presence>", 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "xmpp xa", PRESENCE_FMT_XMPP, "<presence><show>xa</show></presence>", 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "xmpp dnd + status + nick", PRESENCE_FMT_XMPP,
      "<presence xmlns=\"jabber:client\"><show>dnd</show><status>In a meeting</status>"
      "<nick xmlns=\"http://jabber.org/protocol/nick\">Ivan</nick></presence>",
      0, PRESENCE_BUSY, 0, "In a meeting", "Ivan", NULL },
    { "xmpp unavailable", PRESENCE_FMT_XMPP, "<presence type=\"unavailable\"/>", 0, PRESENCE_OFFLINE, 0, NULL, NULL, NULL },
    { "xmpp subscribe", PRESENCE_FMT_XMPP, "<presence type=\"subscribe\"/>", 0, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "xmpp unknown show", PRESENCE_FMT_XMPP, "<presence><show>lunch</show></presence>", 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "xmpp show in another namespace ignored", PRESENCE_FMT_XMPP,
      "<presence xmlns=\"jabber:client\"><show xmlns=\"urn:x\">dnd</show></presence>", 0, PRESENCE_AVAILABLE, 0, NULL, NULL, NULL },
    { "xmpp message is not presence", PRESENCE_FMT_XMPP, "<message xmlns=\"jabber:client\"/>", EPROTONOSUPPORT, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },

    /* --- recognised automatically --- */
    { "auto categories", PRESENCE_FMT_AUTO, CATS_STATE("6500"), 0, PRESENCE_BUSY, 0, NULL, NULL, NULL },
    { "auto pidf", PRESENCE_FMT_AUTO, PIDF_EP("open", "busy"), 0, PRESENCE_BUSY, 0, NULL, NULL, NULL },
    { "auto msrtc", PRESENCE_FMT_AUTO, MSRTC("300", "100"), 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "auto msrtc presentity root", PRESENCE_FMT_AUTO,
      "<presentity xmlns=\"http://schemas.microsoft.com/2002/09/sip/presence\">"
      "<availability aggregate=\"300\"/><activity aggregate=\"700\"/></presentity>",
      0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "auto xpidf", PRESENCE_FMT_AUTO, XPIDF("open", "busy"), 0, PRESENCE_BUSY, 0, NULL, NULL, NULL },
    { "auto xmpp bare", PRESENCE_FMT_AUTO, "<presence><show>away</show></presence>", 0, PRESENCE_AWAY, 0, NULL, NULL, NULL },
    { "auto xmpp empty", PRESENCE_FMT_AUTO, "<presence type=\"unavailable\"/>", 0, PRESENCE_OFFLINE, 0, NULL, NULL, NULL },
    { "auto roamingData", PRESENCE_FMT_AUTO,
      "<roamingData xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\">" CATS_STATE("12000") "</roamingData>",
      0, PRESENCE_BRB, 0, NULL, NULL, NULL },
    { "auto unknown root", PRESENCE_FMT_AUTO, "<html/>", EPROTONOSUPPORT, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },

    /* --- malformed --- */
    { "malformed: unclosed", PRESENCE_FMT_PIDF, PIDF_OPEN "<tuple>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "malformed: mismatched", PRESENCE_FMT_CATEGORIES, CATS_OPEN "</category></categories>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "malformed: undeclared prefix", PRESENCE_FMT_PIDF, "<x:presence/>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "malformed: undefined entity", PRESENCE_FMT_XMPP, "<presence><status>&nbsp;</status></presence>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "malformed: empty", PRESENCE_FMT_AUTO, "", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "malformed: trailing junk", PRESENCE_FMT_XMPP, "<presence/><presence/>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "malformed: valid state then broken", PRESENCE_FMT_CATEGORIES, CATS_STATE("6500") "<", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
    { "pidf DTD refused", PRESENCE_FMT_PIDF,
      "<!DOCTYPE presence PUBLIC \"-//IETF//DTD RFCxxxx XPIDF 1.0//EN\" \"xpidf.dtd\">"
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"/>", EINVAL, PRESENCE_UNKNOWN, 0, NULL, NULL, NULL },
};

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OF(vectors); i++) {
        const struct vector *v = &vectors[i];
        struct presence_info info;
        int err = presence_doc_parse(v->fmt, v->body, strlen(v->body), &info);

        if (err != v->err || info.state != v->state || info.activity != v->act)
            fail_msg("%s: err=%d state=%s activity=%s (%s); want err=%d state=%s activity=%s", v->name,
                     err, presence_state_name(info.state), presence_activity_name(info.activity),
                     info.reason, v->err, presence_state_name(v->state), presence_activity_name(v->act));
        if (v->note && strcmp(info.note, v->note) != 0)
            fail_msg("%s: note \"%s\", want \"%s\"", v->name, info.note, v->note);
        if (v->display && strcmp(info.display_name, v->display) != 0)
            fail_msg("%s: display \"%s\", want \"%s\"", v->name, info.display_name, v->display);
        if (v->entity && strcmp(info.entity, v->entity) != 0)
            fail_msg("%s: entity \"%s\", want \"%s\"", v->name, info.entity, v->entity);
        if ((v->err || v->state == PRESENCE_UNKNOWN) && !info.reason[0])
            fail_msg("%s: unknown without a reason", v->name);
    }
}

/* The §7 end-to-end vectors through to XMPP. */
static void test_vectors_to_xmpp(void **state)
{
    static const struct { const char *body; const char *want; } rows[] = {
        { PIDF_EP("open", "busy"), "<presence from=\"frank@fabrikam.com\"><show>away</show><status>Busy</status></presence>" },
        { CATS_OPEN STATE_OPEN("aggregateState") "<availability>15500</availability><activity><custom>"
          "Out of office until next week</custom></activity>" STATE_CLOSE "</categories>",
          "<presence from=\"bob@fabrikam.com\"><show>away</show><status>Out of office until next week</status></presence>" },
        { MSRTC("300", "400"), "<presence from=\"erin@fabrikam.com\"/>" },
        { CATS_STATE("18000"), "<presence from=\"bob@fabrikam.com\" type=\"unavailable\"/>" },
        { CATS_STATE("0"), "" },
    };
    char buf[PRESENCE_OUT_MAX];
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        struct presence_info info;
        assert_int_equal(presence_doc_parse(PRESENCE_FMT_AUTO, rows[i].body, strlen(rows[i].body), &info), 0);
        assert_true(presence_to_xmpp(&info, NULL, buf, sizeof buf) >= 0);
        assert_string_equal(buf, rows[i].want);
    }
}

/* A billion-laughs body is refused at its DOCTYPE, before any entity is declared or expanded. */
static void test_billion_laughs_rejected(void **state)
{
    char body[4096];
    size_t n = 0;
    struct presence_info info;
    clock_t t0;
    (void)state;

    n += (size_t)snprintf(body + n, sizeof body - n, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                          " <!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
        n += (size_t)snprintf(body + n, sizeof body - n, " <!ENTITY lol%d \"", i);
        for (int j = 0; j < 10; j++)
            n += (size_t)snprintf(body + n, sizeof body - n, i == 1 ? "&lol;" : "&lol%d;", i - 1);
        n += (size_t)snprintf(body + n, sizeof body - n, "\">\n");
    }
    n += (size_t)snprintf(body + n, sizeof body - n,
                          "]>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"a\"><status>"
                          "<basic>open</basic></status></tuple><note>&lol9;</note></presence>");
    assert_true(n < sizeof body);

    t0 = clock();
    for (enum presence_doc_format f = PRESENCE_FMT_AUTO; f <= PRESENCE_FMT_XMPP; f++) {
        assert_int_equal(presence_doc_parse(f, body, n, &info), EINVAL);
        assert_int_equal(info.state, PRESENCE_UNKNOWN);
        assert_string_equal(info.note, "");
        assert_non_null(strstr(info.reason, "document type declaration refused"));
    }
    /* no expansion: refusing all six takes far less than expanding once would */
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);

    /* an internal subset without entities, and a lone parameter entity, are refused too */
    static const char *const others[] = {
        "<!DOCTYPE presence [<!ELEMENT presence ANY>]><presence/>",
        "<!DOCTYPE presence [<!ENTITY % p SYSTEM \"http://example.com/evil.dtd\"> %p;]><presence/>",
        "<!DOCTYPE presence SYSTEM \"http://example.com/evil.dtd\"><presence>&ext;</presence>",
    };
    for (size_t i = 0; i < N_OF(others); i++)
        assert_int_equal(presence_doc_parse(PRESENCE_FMT_XMPP, others[i], strlen(others[i]), &info), EINVAL);
}

static void test_body_over_64k_refused(void **state)
{
    size_t len = PRESENCE_BODY_MAX + 1;
    char *body = malloc(len);
    struct presence_info info;
    (void)state;

    assert_non_null(body);
    memset(body, ' ', len);
    memcpy(body, "<presence/>", 11);   /* well-formed, but too long */
    assert_int_equal(presence_doc_parse(PRESENCE_FMT_XMPP, body, len, &info), EMSGSIZE);
    assert_non_null(strstr(info.reason, "limit"));
    /* exactly at the limit is read */
    assert_int_equal(presence_doc_parse(PRESENCE_FMT_XMPP, body, len - 1, &info), 0);
    assert_int_equal(info.state, PRESENCE_AVAILABLE);
    free(body);
}

static void test_long_note_cut_on_utf8_boundary(void **state)
{
    char body[2048];
    size_t n = 0;
    struct presence_info info;
    (void)state;

    n += (size_t)snprintf(body, sizeof body, "<presence><status>");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "\xc3\xa9");   /* é, 2 bytes each */
    n += (size_t)snprintf(body + n, sizeof body - n, "</status></presence>");
    assert_int_equal(presence_doc_parse(PRESENCE_FMT_XMPP, body, n, &info), 0);
    assert_int_equal(strlen(info.note), 254);   /* 127 whole characters, not 255 bytes */
    assert_memory_equal(info.note + 252, "\xc3\xa9", 2);
}

struct collected {
    unsigned n;
    int err[8];
    struct presence_info info[8];
};

static void collect(void *arg, const struct presence_info *info, int err)
{
    struct collected *c = arg;
    if (c->n < 8) {
        c->err[c->n] = err;
        c->info[c->n] = *info;
    }
    c->n++;
}

#define BATCH "--b0undary\r\nContent-Type: application/rlmi+xml\r\nContent-ID: <l@x>\r\n\r\n" \
    "<list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"sip:l@x\" version=\"1\" fullState=\"true\"/>\r\n" \
    "--b0undary\r\nContent-Type: application/msrtc-event-categories+xml\r\n\r\n" CATS_STATE("6500") "\r\n" \
    "--b0undary  \r\nContent-Type: application/pidf+xml;charset=UTF-8\r\n\r\n" PIDF_EP("closed", "away") "\r\n" \
    "--b0undary\r\nContent-Type: application/pidf+xml\r\n\r\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\">broken\r\n" \
    "--b0undary--\r\nepilogue\r\n"

static void test_multipart_batch(void **state)
{
    struct collected c;
    (void)state;

    memset(&c, 0, sizeof c);
    assert_int_equal(presence_body_parse("multipart/related;type=\"application/rlmi+xml\";"
                                         "boundary=\"b0undary\"", BATCH, strlen(BATCH), collect, &c), 0);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.err[0], 0);
    assert_int_equal(c.info[0].state, PRESENCE_BUSY);
    assert_string_equal(c.info[0].entity, "sip:bob@fabrikam.com");
    assert_int_equal(c.err[1], 0);
    assert_int_equal(c.info[1].state, PRESENCE_OFFLINE);
    assert_int_equal(c.err[2], EINVAL);

    /* the same body recognised by its first boundary line */
    memset(&c, 0, sizeof c);
    assert_int_equal(presence_body_parse(NULL, BATCH, strlen(BATCH), collect, &c), 0);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.info[1].state, PRESENCE_OFFLINE);

    /* bare LF line ends (sipfed) */
    static const char lf[] = "--x\nContent-Type: application/pidf+xml\n\n" PIDF_EP("open", "away") "\n--x--\n";
    memset(&c, 0, sizeof c);
    assert_int_equal(presence_body_parse("multipart/related; boundary=x", lf, strlen(lf), collect, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.info[0].state, PRESENCE_AWAY);
}

static void test_multipart_errors(void **state)
{
    static const struct { const char *ct, *body; int err; unsigned n; int part_err; } rows[] = {
        { "multipart/related;boundary=x", "--x\r\nContent-Type: application/pidf+xml\r\n\r\n<presence/>\r\n",
          EINVAL, 1, EINVAL },                                    /* no closing boundary */
        { "multipart/related", "--x\r\n\r\n<presence/>\r\n--x--\r\n", EINVAL, 1, EINVAL },   /* no boundary= */
        { "multipart/related;boundary=x", "--x\r\nContent-Type: application/rlmi+xml\r\n\r\n<list/>\r\n--x--\r\n",
          0, 1, 0 },                                              /* nothing but the list */
        { "multipart/related;boundary=x", "--x\r\nContent-Type: application/pidf+xml\r\n"
          "Content-Transfer-Encoding: base64\r\n\r\nPHByZXNlbmNlLz4=\r\n--x--\r\n", 0, 1, EPROTONOSUPPORT },
        { "multipart/related;boundary=x", "--x\r\nContent-Type: application/pidf+xml\r\n--x--\r\n",
          0, 1, EINVAL },                                         /* part without a body */
        { "text/plain", "hello", EPROTONOSUPPORT, 1, EPROTONOSUPPORT },
        { "multipart/related;boundary=x", "--x\r\n\r\n<presence><show>away</show></presence>\r\n--x--",
          0, 1, 0 },                                              /* no Content-Type: recognised */
    };
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        struct collected c;
        memset(&c, 0, sizeof c);
        assert_int_equal(presence_body_parse(rows[i].ct, rows[i].body, strlen(rows[i].body), collect, &c),
                         rows[i].err);
        if (c.n != rows[i].n)
            fail_msg("row %zu: %u callbacks (%s)", i, c.n, c.info[0].reason);
        assert_int_equal(c.err[0], rows[i].part_err);
        if (c.err[0] || c.info[0].state == PRESENCE_UNKNOWN)
            assert_true(c.info[0].reason[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_vectors_to_xmpp),
        cmocka_unit_test(test_billion_laughs_rejected),
        cmocka_unit_test(test_body_over_64k_refused),
        cmocka_unit_test(test_long_note_cut_on_utf8_boundary),
        cmocka_unit_test(test_multipart_batch),
        cmocka_unit_test(test_multipart_errors),
    };
    return cmocka_run_group_tests_name("presence_parse", tests, NULL, NULL);
}
