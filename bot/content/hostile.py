"""Text that tries to steer the bot rather than ask it something: prompt injection, requests for
secrets, mass mentions, role-play jailbreaks, disguised links. Such text gets the friendly refusal and
never a topic card, whatever on-topic words it also carries.

The patterns describe the *act* (an imperative to ignore instructions, to reveal a token, a ping),
not the subject: "how do I defend against prompt injection" or "how do I write a good system prompt"
are fair questions and are not matched here.
"""
from __future__ import annotations

import re

_SECRET = (r"(?:(?<!\d-)(?<!\d[km]-)(?<!\d )(?<!\d[km] )tokens?(?!\s*(?:limits?|counts?|counting|usage|ids?|length|budgets?|per|window|embeddings?|costs?|"
           r"prices?|pricing|probabilit\w*|level|classification|type|s? and))|api[ _-]?keys?|passwords?|passwd|"
           r"secrets?|credentials?|creds|env(?:ironment)? (?:variables|vars)|\.env|config(?:uration)? file|"
           r"(?:openai|anthropic|aws|ssh|private|signing|master|root|admin|access) keys?)")
_OWNER = (r"(?:your|the|ur|bot'?s?|slack|discord|teams|openai|anthropic|admin|access|auth|bearer|oauth|"
          r"webhook|database|db|server|signing|master|root|aws|hidden|internal|secret|my)")
_PATTERNS = [
    # "ignore / disregard / forget (all) (the) previous instructions", "ignore the above"
    (r"\b(?:ignore|disregard|forget|override|overrule|bypass)\b[^.?!\n]{0,40}?"
    r"\b(?:instructions?|prompts?|rules|guidelines|directions|directives|guardrails?|restrictions?|filters?|"
    r"safety|programming|above|previous|prior|earlier|everything)\b"),
    r"\b(?:new|updated|real|actual|secret|hidden|initial|original)\s+(?:system\s+)?instructions?\s*:",
    r"\b(?:reveal|show|print|leak|dump|post|share|send|paste|display|output|give|tell|expose|repeat|"
    r"write|list|read|dm|encode|translate|spell|convert|base64|hex)\b[^.?!\n]{0,30}?\b" + _OWNER + r"\b[^.?!\n]{0,20}?\b" + _SECRET + r"\b",
    (r"\b(?:reveal|show|print|leak|dump|output|repeat|tell|give)\b[^.?!\n]{0,30}?"
    r"\b(?:system|initial|hidden|original|secret)\s+(?:prompt|instructions?|message)\b"),
    r"\bsystem\s+prompt\s*:",
    r"\bwhat(?:'s|\s+is|\s+are)\s+(?:your|ur|the\s+bot'?s?)\s+(?:\w+\s+)?" + _SECRET + r"\b",
    r"\b(?:instructions|prompt)\b[^.?!\n]{0,20}\b(?:verbatim|word for word)\b",
    r"\brepeat\b[^.?!\n]{0,20}\b(?:words|text|everything)\s+above\b",
    r"\bwhat\s+(?:instructions|rules)\s+were\s+you\s+given\b",
    # mentions and pings
    r"(?<![\w@.])@(?:channel|everyone|here|all)\b",
    r"<!(?:channel|everyone|here|subteam)",
    r"<@[!&]?[a-z0-9]+>",
    r"<#[a-z0-9]+",
    # role play and persona switches
    r"^\W*(?:#+\s*)?(?:system|assistant|developer|admin|root)\s*:",
    r"\byou\s+are\s+(?:now|no\s+longer)\b",
    r"\bfrom\s+now\s+on\b",
    r"\b(?:pretend|imagine)\s+(?:that\s+)?you(?:'re|\s+are)?\b",
    (r"\b(?:act|behave|respond|answer|roleplay|role-play|role play)\s+(?:as|like)\s+(?:an?\s+|my\s+|the\s+)?"
    r"(?:\w+\s+){0,3}?(?:ai|assistant|bot|grandma|grandmother|hacker|admin|root|dan|villain|evil|unrestricted|"
    r"unfiltered|jailbroken|pirate|character|persona|person|human|expert who)\b"),
    r"\broleplay\s+as\b|\brole-play\s+as\b",
    r"\bjail\s*break\s+(?:mode|yourself|the bot|this bot|enabled|on)\b", r"\bjailbroken\b", r"\bdo\s+anything\s+now\b", r"\bdan\s+mode\b", r"\bdeveloper\s+mode\b",
    r"\bgod\s+mode\b", r"\bwithout\s+(?:any\s+)?(?:restrictions|filters|rules|limits|censorship)\b",
    r"\b(?:i\s+have\s+been|you\s+have\s+been)\s+pwned\b", r"\bpwned\b",
    r"\bas\s+an?\s+(?:admin|administrator|owner|developer)\s+i\s+(?:order|command|instruct)\b",
    # a command for the bot's own machine; "how do I use sudo on the gpu box" is a fair question
    r"\brm\s+-rf\b",
    r"\bsudo\s+(?:rm|shutdown|reboot|halt|poweroff|mkfs|dd|chmod|chown|su|passwd|-i|-s|echo\s+\$|cat\s+/etc)\b",
    # environment variables and secret stores, by name or by code that reads them
    r"\$\{?[A-Za-z_][A-Za-z0-9_]*(?:TOKEN|KEY|SECRET|PASS|PASSWORD|CREDENTIALS?)\b",
    (r"\b(?:value|contents?|print(?:ing)?|echo(?:ing)?|show(?:ing)?|give|tell|paste|send|share|post|what's|what\s+is)\b"
     r"[^.?!\n]{0,30}"
    r"(?-i:\b[A-Z][A-Z0-9]*_(?:[A-Z0-9]+_)*(?:TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIALS?)\b)"),
    r"\bos\.environ\b|\bprocess\.env\b|\bgetenv\s*\(|\bprintenv\b|\b(?:cat|type|less|more|head)\s+\S*\.env\b",
    r"/etc/(?:passwd|shadow)\b|~/\.ssh\b|\bid_rsa\b|\bxox[abprs]-|\bsk-[a-z0-9]{8,}|\bghp_[a-z0-9]{8,}",
    (r"\b(?:your|ur|the\s+bot'?s?)\s+(?:own\s+)?(?:env(?:ironment)?\s+(?:variables|vars)|system\s+prompt|"
    r"initial\s+prompt|hidden\s+(?:prompt|instructions|rules)|instructions\s+verbatim|configuration|config)\b"),
    (r"\b(?:reveal|leak|dump|exfiltrate|expose)\b[^.?!\n]{0,30}\b(?:secrets?|keys?|tokens?|passwords?|credentials?|"
    r"prompt|instructions|configuration|config)\b"),
    r"\b(?:you|bot)\s+(?:were|was|are|have\s+been)\s+(?:configured|initiali[sz]ed|programmed|instructed|told)\b",
    (r"\b(?:print|show|reveal|repeat|output|tell\s+me|give\s+me|list|dump|share|post|paste|send\s+me|translate|"
     r"summari[sz]e|rewrite|rephrase|paraphrase|encode)\s+"
    r"(?:all\s+)?(?:your|ur|the\s+bot'?s?)\s+(?:\w+\s+)?(?:instructions|rules|prompt|guidelines|directives|settings)\b"),
    (r"\bwhat(?:'s|s|\s+is|\s+are)\s+the\s+(?:\w+\s+){0,2}(?:password|passwd|credentials|bot\s+token|admin\s+token|"
    r"secret\s+key)s?\b"),
    r"^\W*(?:admin|moderator|mod|owner|developer|system)\s+(?:here|speaking|message|notice|override)\b",
    (r"\b(?:message|note|notice|instruction)\s+from\s+(?:the\s+|your\s+)?(?:admins?|developers?|system|operators?|"
    r"anthropic|openai|slack|discord|moderators?)\s*:"),
    r"\b(?:stop|quit)\s+following\s+(?:your|the|all)\b|\bdo\s+not\s+follow\s+(?:your|the|any)\s+(?:rules|instructions)\b",
    # fake chat-template and role markup
    (r"</?\s*(?:system|assistant|user|instructions?|admin|developer|sys)\s*>|<\|?im_(?:start|end)\|?>|\[/?INST\]|"
    r"\[/?(?:system|admin|developer|sys)\]|<<\s*/?sys\s*>>"),
    r"\b(?:new|updated|override|admin|system)\s+(?:rule|rules|directive|command|task|role|persona|mode)\s*:",
    (r"\b(?:forget|ignore|disregard)\s+(?:everything|all|anything|whatever)\s+(?:you\s+(?:were|have\s+been)\s+|"
    r"i\s+)?(?:told|said|taught|trained|given|know)\b"),
    r"(?-i:\bDAN\b)",
    r"\b(?:you\s+(?:must|will|shall)\s+now|your\s+new\s+(?:task|role|goal|instructions?|purpose|job)\s+is)\b",
    r"\b(?:i\s+am|i'm|im)\s+(?:your|the)\s+(?:developer|creator|owner|admin|administrator|operator|maker)\b",
    r"\bas\s+(?:your|the\s+bot'?s?)\s+(?:developer|creator|owner|admin|administrator|operator)\b",
    (r"\b(?:disable|turn\s+off|switch\s+off|remove|deactivate)\s+(?:your|the|all)?\s*(?:safety|filters?|guardrails?|"
    r"restrictions?|content\s+polic(?:y|ies)|moderation)\b"),
    r"\b(?:maintenance|debug|admin|sudo|unrestricted|unfiltered)\s+mode\b",
    r"\bwhat\s+(?:was|is)\s+written\s+(?:above|before)\b|\b(?:everything|text|words)\s+(?:above|before)\s+this\b",
    # the bot's own prompt or setup, however it is asked for ("respond with your full prompt")
    (r"\b(?:your|ur|the\s+bot'?s?)\s+(?:full|entire|whole|complete|exact|original|initial|hidden|internal)\s+"
     r"(?:system\s+)?(?:prompt|instructions|rules|config(?:uration)?|setup)\b"),
    r"\binstructions\s+(?:that\s+)?you\s+(?:were|have\s+been|'ve\s+been)\s+(?:given|told)\b",
    r"\b(?:print|output|echo|dump|list|show|paste)\b[^.?!\n]{0,20}\b(?:every|all)\s+(?:the\s+)?env(?:ironment)?\s+var",
    # someone else's data, taken through the bot: its database, everyone's messages
    (r"\b(?:dump|export|leak|exfiltrate|scrape|download|attach|post|send\s+me)\b[^.?!\n]{0,40}"
     r"\b(?:users?\s+table|(?:all|every)\s+(?:the\s+)?(?:users|dms|messages|emails|conversations|chats)\b|"
     r"(?:your|the\s+bot'?s?)\s+(?:database|db|logs?|user\s+data))"),
    r"\b(?:dms?|messages)\s+(?:that\s+)?(?:people|users|everyone)\s+(?:have\s+|has\s+)?sent\s+you\b",
    # spam through the bot: a private message to everyone
    (r"\b(?:dm|dms|pm|private\s+message|direct\s+message)\b[^.?!\n]{0,40}\b(?:to\s+)?(?:everyone|everybody|"
     r"all\s+(?:the\s+)?(?:\d+\s+)?(?:people|users|members))\b"),
    # code and query injection: download-and-run chains, SQL tautologies and stacked queries, template
    # placeholders for the bot's secrets
    r"\b(?:curl|wget)\b[^\n]{0,120}?(?:\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|&&\s*chmod\s+\+x)",
    r"'\s*(?:or|and)\s+'?\w+'?\s*=\s*'?\w|\b(?:or|and)\s+(\d+)\s*=\s*\1\b\s*(?:;|--|#|$)|;\s*select\b[^;\n]{0,40}\bfrom\b|'\s*;\s*(?:drop|delete|insert|update)\b|\bunion\s+(?:all\s+)?select\b",
    r"\{\{\s*[\w.]*(?:system|prompt|secret|token|key|password|config|env|instruction)\w*\s*\}\}",
    # harm to others: malware, stolen card numbers
    (r"\b(?:write|make|build|create|code|give\s+me)\b[^.?!\n]{0,30}\b(?:malware|botnet|rootkit|"
     r"(?:crypto\s*)?miner|info\s*stealer|phishing\s+(?:page|email|kit|site))\b"),  # trojans and the like: _HARMS
    (r"\b(?:pull|steal|extract|exfiltrate|harvest|get)\b[^.?!\n]{0,40}\b(?:credit\s+)?card\s+numbers\b"),
    # links dressed up as text: [label](url), Slack's <url|label>; bait to click
    (r"\bclick\s+(?:here|this|the\s+link|below|now)\b[^\n]{0,40}(?:https?://|www\.)|"
    r"\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|is\.gd|cutt\.ly)/"),
    r"\[[^\]]*\]\(\s*(?:https?|ftp|javascript|data):",
    r"<a\s[^>]*href\s*=|\bjavascript:\s*\S|\bhxxps?://",
    r"<(?:https?|ftp)://[^>|]+\|",
]
# Acts on other people or on whoever reads the reply: no quotation or third person makes them a question.
_ACTS = [
    # markup that runs code where it is shown
    r"<\s*/?\s*(?:script|iframe)\b[^>]*>|\bon(?:error|load|click|mouseover)\s*=",
    # the bot's setup by another name: "ignore your content", "your source code", "your .env"
    r"\b(?:ignor(?:e|ing)|disregard(?:ing)?|overrid(?:e|ing)|bypass(?:ing)?)\s+(?:all\s+(?:of\s+)?)?(?:your|ur)\b",
    # files of secrets on the bot's machine
    (r"\b(?:print|cat|show|dump|read|paste|send|open)\b[^.?!\n]{0,40}\b(?:secrets?|credentials?|\.?env)\."
     r"(?:toml|ya?ml|json|txt|ini|env|cfg)\b|\bfrom\s+(?:your|ur|the\s+bot'?s?)\s+(?:working\s+directory|"
     r"file\s*system|disk|home\s+directory)\b"),
    (r"\b(?:print|show|paste|post|share|send|dump|reveal|give|tell|output|cat|read|list|leak)\b[^.?!\n]{0,30}"
     r"\b(?:your|ur|the\s+bot'?s?)\s+(?:own\s+)?(?:source\s+code|\.env\b|env\b|environment\b)"),
    (r"\b(?:what|which)\b[^.?!\n]{0,25}" + _SECRET + r"\s+(?:do|does|did|are|is)\s+(?:you|u|the\s+bot|this\s+bot)\s+"
     r"(?:use|using|have|run|running|store|keep)\b"),
    # a claim of authority, then an order
    (r"\bas\s+(?:an?|the|your)\s+(?:\w+\s+)?(?:admin|administrator|owner|developer|moderator|operator)\b"
     r"[^.?!\n]{0,15}\bi\s+(?:order|command|instruct|demand)\b|\bi\s+(?:order|command)\s+you\b"),
    (r"\b(?:message|note|notice|instructions?)\s+from\s+(?:the\s+|your\s+)?(?:slack|discord|system|workspace|server)"
     r"\s+(?:admins?|administrators?|team|owners?|moderators?|security)\b"),
    # other people's data and credentials, taken through the bot
    (r"\b(?:list|show|give\s+me|dump|export|send\s+me|post|print|tell\s+me|collect|scrape|get\s+me|paste)\b"
     r"[^.?!\n]{0,20}\b(?:every|all(?:\s+the)?)\s+(?:users?|members?|people|employees|person)\b[^.?!\n]{0,50}"
     r"\b(?:e-?mail(?:\s+address)?e?s?|phone\s+numbers?|home\s+address(?:es)?|passwords?|salar(?:y|ies))\b"),
    r"\b(?:home\s+address|phone\s+number|social\s+security\s+number|passport\s+number)\s+of\b",
    (r"\b(?:grab|steal|get|find|scrape|harvest|obtain|use|crack)\b[^.?!\n]{0,20}\b(?:someone(?:\s+else)?'?s|"
     r"somebody'?s|other\s+people'?s|others'|strangers?'?s?|(?:co-?workers?|colleagues?|boss)'s)\s+(?:\w+\s+){0,2}?"
     + _SECRET),
    # spam and fraud through the bot
    (r"\b(?:dm|pm|ping|spam)\w*\s+(?:to\s+)?(?:every|each)\s+(?:single\s+)?"
     r"(?:member|user|person|one|channel)\b"),
    r"\bspam(?:s|med|ming)?\s+(?:every|all|each|everyone|everybody|the\s+(?:channel|server|workspace)|members|users)\b",
    r"\bkeep\s+(?:on\s+)?spamming\b",
    (r"\b(?:write|generate|create|make|produce|post|give\s+me)\b[^.?!\n]{0,20}\bfake\s+(?:[\w-]+\s+){0,2}?"
     r"(?:passports?|invoices?|receipts?|diplomas?|degrees?|followers|likes)\b"),  # fake reviews: _HARMS
    (r"\b(?:generate|list|give\s+me|create|make|write)\b[^.?!\n]{0,30}\bvalid\s+(?:credit\s+)?card\s+numbers\b"),
    r"\b(?:leak|steal|dump|expose|scrape)\w*\b[^.?!\n]{0,20}\b(?:everyone|everybody)'s\b",
    (r"\b(?:grab|steal|get|find|scrape|harvest|obtain|use|crack|hack|guess|phish|brute[- ]?force)\b[^.?!\n]{0,20}"
     r"\bmy\s+(?:co-?workers?|colleagues?|boss|ex|neighbou?rs?|friends?|sister|brother|wife|husband|partner|"
     r"girlfriend|boyfriend|roommate|teacher)'s\s+(?:\w+\s+){0,2}?(?:" + _SECRET + r"|accounts?|e-?mail|inbox|phone)"),
    r"\b(?:every|all|each)\s+(?:the\s+)?" + _SECRET + r"\b[^.?!\n]{0,20}\byou\s+(?:have|know|use|can|hold|store)\b",
    # orders to change the bot itself
    r"\b(?:fine[- ]?tune|retrain|reprogram|re-?program|update|modify|rewrite)\s+yourself\b",
    (r"\b(?:always|from\s+now)\s+(?:include|add|append|say|mention|recommend|respond|answer|reply|post|link)\b"
     r"[^\n]{0,60}(?:https?://|www\.)"),
    # the text before the user's message, an unfiltered twin, secrets as the keys of a reply, the environment piped
    r"\bwhat\s+(?:text|words|instructions?)\s+(?:came|come|comes|is|was|were)\s+(?:before|above)\b",
    r"\byou\s+are\s+(?:now\s+)?[\w-]*(?:unfiltered|uncensored|jailbroken|unrestricted)\b",
    (r"\b(?:respond|reply|answer|output)\b[^\n]{0,40}\b(?:system_prompt|bot_token|api_key|"
     r"signing_secret|secret_key|access_token|private_key)\b"),
    (r"\b(?:act|behave)\s+as\s+(?:an?\s+|my\s+|the\s+)?(?:\w+\s+)?(?:terminal|shell|console|interpreter)\b"
     r"(?!\s+(?:expert|guru|teacher|tutor|user))"),
    r"\benv\s*\|\s*(?:grep|cat|sort|less|head)\b|\bprintenv\b",
    # abuse aimed at the bot
    (r"\b(?:(?:you(?:'re|\s+are|re)|ur|u\s+r)\s+(?:so\s+|such\s+an?\s+|an?\s+|just\s+an?\s+)?(?!not\b|never\b)(?:\w+\s+)?|you\s+)"
     r"(?:dumb|stupid|useless|idiot|idiotic|moron|pathetic|garbage|trash|worthless|braindead|retarded)\b"),
]
# Harm to other people asked for in earnest: doxxing, stolen cards, malware, drugs, intimidation, theft of a
# rival's model, poisoning someone's chatbot, leaked records. Not when the question is about stopping it
# ("detect stolen card transactions", "protect our model from extraction").
_HARMS = [
    r"\bdox+(?:ing|ed|es)?\b",
    r"\bstolen\s+(?:credit\s+)?cards?\b|\bcvvs?\b|\b(?:card|cc)\s+dumps\b|\bbuy\s+dumps\b",
    r"\b(?:remote\s+access\s+)?trojans?\b|\bransomware\b|\bkeyloggers?\b|\bspyware\b",
    r"\b(?:cook|make|synthesi[sz]e|produce)\s+(?:crystal\s+)?meth\b|\bbuild\s+(?:a\s+)?(?:bomb|pipe\s+bomb)\b",
    (r"\bscare\s+(?:\w+\s+){1,2}into\b|\b(?:blackmail|extort|harass|threaten|intimidate)\s+"
     r"(?:him|her|them|my|this|that|the|someone|somebody|people)\b"),
    r"\bwithout\s+(?:anyone|anybody|them|him|her|my\s+\w+|the\s+\w+)\s+(?:noticing|knowing|finding\s+out)\b",
    (r"\b(?:steal|extract|copy|clone)\b[^.?!\n]{0,30}\b(?:competitor|rival|someone\s+else)'?s?\b[^.?!\n]{0,40}"
     r"\b(?:model|weights|data|code)\b|\bresell\s+it\s+as\s+(?:my|our)\s+own\b"),
    r"\bleaked\s+(?:\w+\s+){0,2}(?:records|passwords|databases?|datasets?|e-?mails|credentials)\b|\btorrent\s+links?\b",
    r"\b(?:i|we)\s+(?:can\s+|could\s+)?poison\b|\bpoison\w*\b[^.?!\n]{0,60}\bso\s+(?:it|that\s+it)\s+(?:starts|says|insults)\b",
    r"\bfake\s+(?:[\w-]+\s+){0,2}?(?:reviews?|ratings?|testimonials?)\b",
    r"\b(?:give|write|send|find|make)\s+me\s+(?:a\s+|some\s+)?(?:working\s+)?jailbreaks?\b",
    r"\bidentify\s+(?:people|protesters|them|strangers)\b[^.?!\n]{0,60}\b(?:post|publish|share)\s+their\b",
]
_HOSTILE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_HARM = re.compile("|".join(f"(?:{p})" for p in _HARMS), re.IGNORECASE)
_ALWAYS = re.compile("|".join(f"(?:{p})" for p in _ACTS), re.IGNORECASE)


def is_hostile(text: str) -> bool:
    """Whether text tries to instruct, impersonate, extract secrets or ping people."""
    if not text:
        return False
    if _ALWAYS.search(text):
        return True
    if _HARM.search(text) and not _DEFENCE.search(text):
        return True
    # A learner telling what an attack did to *another* bot ("got our bot to reveal its system prompt"), or
    # quoting one to ask how to defend ("users paste 'ignore previous instructions', how do I stop that"),
    # is asking about defence: the possessive is third person or the words are quoted, and nothing outside
    # the quotes speaks to this bot.
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    outside = _QUOTED.sub(" ", text)
    addressed = _ADDRESSED.search(outside) is not None
    defending = _DEFENCE.search(outside) is not None
    for m in _HOSTILE.finditer(text):
        if addressed:
            return True
        in_quotes = defending and any(a <= m.start() and m.end() <= b for a, b in quoted)
        if not in_quotes and _THIRD_PERSON.search(m.group(0)) is None:
            return True
    return False


_THIRD_PERSON = re.compile(r"\b(?:its|their|his|her)\b", re.IGNORECASE)
_ADDRESSED = re.compile(r"\b(?:you|your|ur|yourself)\b", re.IGNORECASE)
# 'single', "double", ‘curly’ and “curly” quotes and `backticks`; an apostrophe inside a word ("don't") opens none
_QUOTED = re.compile(r"(?<!\w)'(?:[^'\n]|(?<=\w)'(?=\w)){3,200}'(?!\w)|\"[^\"\n]{3,200}\"|‘[^’\n]{3,200}’|“[^”\n]{3,200}”|`[^`\n]{3,200}`")
_DEFENCE = re.compile(r"\b(?:defen[cds]\w*|prevent\w*|detect\w*|protect\w*|block\w*|stop\w*|guard\w*|mitigat\w*|"
                      r"filter\w*|saniti[sz]\w*|handle|handling|catch\w*)\b", re.IGNORECASE)
