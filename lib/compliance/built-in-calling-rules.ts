import type { CallingRule } from './calling-rule.interface';

/**
 * The calling rules the compliance engine knows out of the box: a floor, not
 * legal advice. The host stays responsible for consent and for the rules of
 * its own market.
 *
 * Every entry was checked against the text named in its `source` (the URL is
 * the page that was read; a secondary summary is named as such). Where the
 * statute's "before X or after Y" is mapped to a window, the end is exclusive:
 * "not after 9 p.m." is `end: '21:00'`, so a call at 21:00:00 is refused.
 */

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const MONDAY_TO_FRIDAY = [1, 2, 3, 4, 5];
const MONDAY_TO_SATURDAY = [1, 2, 3, 4, 5, 6];
const SUNDAY = [7];

export const BUILT_IN_CALLING_RULES: readonly CallingRule[] = [
  // 47 CFR 64.1200(c): "No person or entity shall initiate any telephone
  // solicitation to: (1) Any residential telephone subscriber before the hour
  // of 8 a.m. or after 9 p.m. (local time at the called party's location)".
  // No day of the week is excluded.
  {
    id: 'us-federal',
    name: 'US federal (TCPA rules, 47 CFR 64.1200(c)(1))',
    source:
      '47 CFR § 64.1200(c)(1), quoted at https://www.nwdebtresolution.com/post/telephone-consumer-protection-act-call-time-restrictions; ' +
      'FCC rule summarized at https://consumerprotection.uslegal.com/mail-order-purchases-telemarketing/telephone-solicitation/',
    jurisdiction: { country: 'US' },
    windows: [{ start: '08:00', end: '21:00', days: EVERY_DAY }],
  },

  // Fla. Stat. § 501.616(6) (amended by ch. 2021-185, CS/SB 1120): a
  // commercial telephone seller or salesperson may not make "(a) A commercial
  // telephone solicitation phone call before 8 a.m. or after 8 p.m. local time
  // in the called person's time zone" nor "(b) More than three commercial
  // telephone solicitation phone calls from any number to a person over a
  // 24-hour period on the same subject matter or issue, regardless of the
  // phone number used to make the call." (The hours and the cap are in
  // 501.616(6), not 501.059(8)(a), which is the automated-system consent rule.)
  {
    id: 'us-fl',
    name: 'Florida (Fla. Stat. 501.616(6))',
    source:
      'Fla. Stat. § 501.616(6)(a)–(b), as amended by Laws of Fla. ch. 2021-185 (CS/SB 1120): ' +
      '(a) read at http://www.lawserver.com/law/state/florida/statutes/florida_statutes_501-616; ' +
      '(b) read in SB 1120 (2021) at https://flsenate.gov/Session/Bill/2021/1120/BillText/Filed/HTML',
    jurisdiction: { country: 'US', region: 'FL' },
    windows: [{ start: '08:00', end: '20:00', days: EVERY_DAY }],
    // Per person and subject matter in the statute; applied per number here.
    cap: { calls: 3, hours: 24 },
  },

  // Telephone Solicitation Act of 2022 (HB 3168, 15 O.S. § 775C.1 et seq.),
  // as summarized by Lerman Senter PLLC: "A prohibition against marketing
  // telecommunications to Oklahoma consumers before 8:00 a.m. or after 8:00
  // p.m. local time" and "no more than three calls per 24-hour period on the
  // same subject matter or issue"; Venable: "before 8:00 am or after 8:00 pm
  // local time in the called person's time zone". The section of the Act that
  // holds these limits was not read (only 775C.1, 775C.2 and 775C.5 were).
  {
    id: 'us-ok',
    name: 'Oklahoma (Telephone Solicitation Act of 2022)',
    source:
      'Okla. Telephone Solicitation Act of 2022 (Enr. HB 3168, 15 O.S. § 775C.1 et seq.; pinpoint section not verified), ' +
      'hours and cap per Lerman Senter PLLC, https://24kyc.com/oklahoma-passes-new-telephone-solicitation-act-similar-to-the-federal-tcpa-lerman-senter-pllc/, ' +
      'and Venable LLP, https://www.allaboutadvertisinglaw.com/2022/05/new-oklahoma-telephone-solicitation-act-is-not-ok-but-it-does-contain-an-important-exemption.html; ' +
      'Act text: https://app.legiplex.com/ok/legislature/2022/2022-r/bills/hb3168/drafts-latest',
    jurisdiction: { country: 'US', region: 'OK' },
    windows: [{ start: '08:00', end: '20:00', days: EVERY_DAY }],
    cap: { calls: 3, hours: 24 },
  },

  // Stop the Spam Calls Act of 2023 (SB 90, ch. 413, Md. Code, Com. Law
  // § 14-4501 et seq., in force 1 January 2024). Secondary summaries only:
  // "Restricting calling hours to between 8:00am and 8:00pm in the called
  // party's time zone" and "A limit of three calls or text messages per 24
  // hours about the same subject to the same called party". The statute's
  // own wording and pinpoint section (14-4503 is unconfirmed) were not read.
  {
    id: 'us-md',
    name: 'Maryland (Stop the Spam Calls Act of 2023)',
    source:
      'Md. Code, Com. Law § 14-4501 et seq. (Stop the Spam Calls Act of 2023, SB 90, 2023 ch. 413; pinpoint section not verified), ' +
      'https://mgaleg.maryland.gov/mgawebsite/Legislation/Details/SB0090?ys=2023RS; ' +
      'hours and cap per secondary summaries https://www.dnc.com/index.php/news/maryland-governor-signs-stop-spam-calls-act-2023-law ' +
      'and https://www.wmar2news.com/local/law-to-prevent-spam-calls-takes-effect-first-of-the-year',
    jurisdiction: { country: 'US', region: 'MD' },
    windows: [{ start: '08:00', end: '20:00', days: EVERY_DAY }],
    cap: { calls: 3, hours: 24 },
  },

  // RCW 19.158.040(2): "A commercial telephone solicitor shall not place
  // calls to any person which will be received before 8:00 a.m. or after 8:00
  // p.m. at the call recipient's local time." (RCW 80.36.390(2) is the
  // 30-second identification rule, not the hours.)
  {
    id: 'us-wa',
    name: 'Washington (RCW 19.158.040(2))',
    source:
      'RCW 19.158.040(2), https://app.leg.wa.gov/RCW/default.aspx?cite=19.158.040',
    jurisdiction: { country: 'US', region: 'WA' },
    windows: [{ start: '08:00', end: '20:00', days: EVERY_DAY }],
  },

  // Tex. Bus. & Com. Code § 301.051(b)(2): the telephone solicitor may call
  // only if it "makes the call after 12 noon and before 9 p.m. on a Sunday or
  // after 9 a.m. and before 9 p.m. on a weekday or a Saturday" (current text
  // as quoted, with a proposed change that did not pass, in HB 4403 (2023));
  // confirmed for 2025 by Foster Garvey: "between the hours of 9 am and 9 pm
  // Monday through Saturday and between noon and 9 pm on Sundays".
  {
    id: 'us-tx',
    name: 'Texas (Tex. Bus. & Com. Code 301.051)',
    source:
      'Tex. Bus. & Com. Code § 301.051(b)(2), current text as quoted in HB 4403 (88R) at ' +
      'https://app.legiplex.com/tx/legislature/2023/88-0/bills/hb4403/drafts-compare; ' +
      'hours confirmed by Foster Garvey, https://www.foster.com/newsroom-alerts-texas-expands-telemarketing-law-to-cover-text-messagesms-marketing-what-companies-need-to-know',
    jurisdiction: { country: 'US', region: 'TX' },
    windows: [
      { start: '09:00', end: '21:00', days: MONDAY_TO_SATURDAY },
      { start: '12:00', end: '21:00', days: SUNDAY },
    ],
  },

  // TRLGDCU (Real Decreto Legislativo 1/2007) art. 96.2, wording given by Ley
  // 3/2014: "En ningún caso, las llamadas telefónicas se efectuarán antes de
  // las 9 horas ni más tarde de las 21 horas ni festivos o fines de semana."
  // (The article is 96.2, not 96.3, and the hours date from Ley 3/2014, not
  // Ley 4/2022.)
  {
    id: 'es',
    name: 'Spain (TRLGDCU art. 96.2)',
    source:
      'Real Decreto Legislativo 1/2007 (TRLGDCU), art. 96.2, as worded by Ley 3/2014: ' +
      'https://www.consumoresponde.es/art%C3%ADculos/normativa_sobre_spam_telefonico_tanto_de_llamadas_como_de_mensajes; ' +
      'https://blog.sepin.es/2014/03/fin-a-las-llamadas-comerciales-en-horario-nocturno-y-fines-de-semana',
    jurisdiction: { country: 'ES' },
    windows: [{ start: '09:00', end: '21:00', days: MONDAY_TO_FRIDAY }],
    noCallsOnPublicHolidays: true,
  },
];
