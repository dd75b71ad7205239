import { SaxesParser, type SaxesTagNS } from 'saxes';
import { decodeText, reject, type AdapterContext, type ByteSource, type Encoding } from '@csp-hub/adapter-kit';
import { HubError, type AdapterItem } from '@csp-hub/taxonomy';
import {
  ASSAULT_ITEMS,
  HEADER_ITEMS,
  LABEL,
  MAX_ITEM_CHARS,
  normaliseAssault,
  parseHeader,
  submissionHeader,
  type AssaultItem,
  type Header,
  type HeaderItem,
  type RawAssault,
  type RawHeader,
} from './assault';

/**
 * XML layout: one element per data item, named after the data dictionary item
 * in UpperCamelCase, with any namespace (or none):
 *
 *   <ISTVSubmission>
 *     <SubmissionHeader> ReportingPeriodStartDate, ReportingPeriodEndDate, SiteCodeOfTreatment </SubmissionHeader>
 *     <Assault> ArrivalDateAndTimeAtAccidentAndEmergencyDepartment, AssaultDateAndTime, AssaultMethod,
 *               AssaultMethodOtherDescription, AssaultLocationType, AssaultLocationDescription </Assault>
 *     <Assault> ... </Assault>
 *   </ISTVSubmission>
 *
 * The header comes before the first Assault. Other elements are ignored.
 */
export const XML_ROOT = 'ISTVSubmission';
export const XML_HEADER = 'SubmissionHeader';
export const XML_ASSAULT = 'Assault';

const BATCH_SIZE = 500;
/** Characters the parser may take in without reaching a tag or text boundary (bounds what it buffers). */
const MAX_CHARS_WITHOUT_EVENT = 1_000_000;

const HEADER_BY_ELEMENT = new Map<string, HeaderItem>(
  (Object.keys(HEADER_ITEMS) as HeaderItem[]).map((item) => [HEADER_ITEMS[item].xml, item]),
);
const ASSAULT_BY_ELEMENT = new Map<string, AssaultItem>(
  (Object.keys(ASSAULT_ITEMS) as AssaultItem[]).map((item) => [ASSAULT_ITEMS[item].xml, item]),
);

function malformed(error: unknown): HubError {
  const text = error instanceof Error ? error.message : String(error);
  const m = /^(\d+):(\d+): (.*)$/s.exec(text);
  const [line, column, problem] = m ? [Number(m[1]), Number(m[2]), m[3]!] : [null, null, text];
  return HubError.invalidInput(
    'MALFORMED_XML',
    `The ${LABEL} XML is not well-formed${line === null ? '' : ` at line ${line}, column ${column}`}: ${problem.replace(/\.$/, '')}. Nothing was stored.`,
    { line, column },
  );
}

/** Streams an ISTV XML submission: one parser pass, one assault held at a time. */
export async function* readIstvXml(source: ByteSource, context: AdapterContext, encoding: Encoding): AsyncGenerator<AdapterItem[]> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let out: AdapterItem[] = [];
  let depth = 0;
  let section: 'header' | 'assault' | 'other' | null = null;
  let capture: { element: string; item: HeaderItem | AssaultItem } | null = null;
  let text = '';
  let rawHeader: RawHeader = { reportingPeriodStart: undefined, reportingPeriodEnd: undefined, siteCode: undefined };
  let header: Header | undefined;
  let assault: RawAssault = {};
  let duplicate: string | null = null;
  let assaults = 0;
  let lastEventAt = 0;

  const append = (chunk: string): void => {
    lastEventAt = parser.position;
    // Keep one character beyond the limit so an over-long value is still seen as such.
    if (capture && depth === 3 && text.length <= MAX_ITEM_CHARS) text += chunk.slice(0, MAX_ITEM_CHARS + 1 - text.length);
  };
  parser.on('text', append);
  parser.on('cdata', append);

  parser.on('opentag', (tag: SaxesTagNS) => {
    lastEventAt = parser.position;
    depth += 1;
    if (depth === 1) {
      if (tag.local !== XML_ROOT) {
        throw HubError.invalidInput(
          'WRONG_FORMAT',
          `This is not a ${LABEL} XML submission: the root element is <${tag.name}>, expected <${XML_ROOT}>. Nothing was stored.`,
          { root: tag.name },
        );
      }
    } else if (depth === 2) {
      if (tag.local === XML_HEADER) {
        if (header) {
          throw HubError.invalidInput('DUPLICATE_HEADER', `Line ${parser.line}: a second <${XML_HEADER}>; a submission has exactly one. Nothing was stored.`, {
            line: parser.line,
          });
        }
        section = 'header';
      } else if (tag.local === XML_ASSAULT) {
        if (!header) {
          throw HubError.invalidInput(
            'MISSING_HEADER',
            `Line ${parser.line}: an <${XML_ASSAULT}> comes before the <${XML_HEADER}> (reporting period and site code), which must come first. Nothing was stored.`,
            { line: parser.line },
          );
        }
        section = 'assault';
        assaults += 1;
        assault = {};
        duplicate = null;
      } else {
        section = 'other';
      }
    } else if (depth === 3 && (section === 'header' || section === 'assault')) {
      const item = section === 'header' ? HEADER_BY_ELEMENT.get(tag.local) : ASSAULT_BY_ELEMENT.get(tag.local);
      if (item) {
        capture = { element: tag.local, item };
        text = '';
      }
    }
  });

  parser.on('closetag', () => {
    lastEventAt = parser.position;
    if (depth === 3 && capture) {
      if (section === 'header') {
        const item = capture.item as HeaderItem;
        if (rawHeader[item] !== undefined) {
          throw HubError.invalidInput('INVALID_HEADER', `Line ${parser.line}: <${capture.element}> is given twice in the <${XML_HEADER}>. Nothing was stored.`, {
            line: parser.line,
          });
        }
        rawHeader[item] = text;
      } else {
        const item = capture.item as AssaultItem;
        if (assault[item] !== undefined) duplicate ??= capture.element;
        assault[item] = text;
      }
      capture = null;
      text = '';
    } else if (depth === 2) {
      if (section === 'header') {
        header = parseHeader(rawHeader, 'xml', `the <${XML_HEADER}> ending on line ${parser.line}`);
        context.onHeader?.(submissionHeader(header));
      } else if (section === 'assault' && header) {
        out.push(
          duplicate
            ? reject(assaults, duplicate, null, 'DUPLICATE_ITEM', `<${duplicate}> appears more than once in this <${XML_ASSAULT}>; each data item is given once`)
            : normaliseAssault(assaults, assault, header, 'xml'),
        );
      }
      section = null;
    }
    depth -= 1;
  });

  const feed = (chunk: string | null): void => {
    try {
      if (chunk === null) parser.close();
      else parser.write(chunk);
    } catch (error) {
      throw error instanceof HubError ? error : malformed(error);
    }
    if (parser.position - lastEventAt > MAX_CHARS_WITHOUT_EVENT) {
      throw HubError.invalidInput(
        'MALFORMED_XML',
        `The ${LABEL} XML runs on for more than ${MAX_CHARS_WITHOUT_EVENT.toLocaleString('en-GB')} characters without a tag (near line ${parser.line}); ` +
          'a tag or comment is probably not closed. Nothing was stored.',
        { line: parser.line },
      );
    }
  };

  for await (const chunk of decodeText(source, encoding, context.onEncoding)) {
    feed(chunk);
    if (out.length >= BATCH_SIZE) {
      yield out;
      out = [];
    }
  }
  feed(null);
  if (!header) {
    throw HubError.invalidInput('MISSING_HEADER', `The ${LABEL} XML has no <${XML_HEADER}> (reporting period and site code). Nothing was stored.`);
  }
  if (assaults === 0) {
    throw HubError.invalidInput(
      'NO_ASSAULTS',
      `The ${LABEL} XML has no <${XML_ASSAULT}> elements. A submission holds at least one assault; nothing was stored.`,
    );
  }
  if (out.length > 0) yield out;
}
