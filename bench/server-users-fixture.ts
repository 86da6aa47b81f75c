/**
 * The users of `npm run bench:users` (`bench/users.ts`), generated
 * deterministically, and the queries it measures on them.
 *
 * Names follow a skewed distribution (a few very common, a long tail), so a
 * search term can be picked to match many users or few:
 *
 * - email `first.last<n>@<domain>`, username `first<n>` for 3 users in 5;
 * - about 1 in 1,000 is staff, 1 in 10,000 a superuser, 1 in 10 inactive,
 *   7 in 10 have a verified email and 6 in 10 have signed in;
 * - created over the last ~3 years, in order (as an import from another
 *   system would be), with last sign-ins at random times since creation;
 * - every 25,000th user has one of the {@link RARE_NAMES} as last name: the
 *   "contains, few matches" terms find 10–20 users each at 1,000,000.
 *
 * Every user gets the same Django `pbkdf2_sha256$…` hash (from
 * test/fixtures/django-hashes.json), so the import hashes nothing.
 */
import type { ImportUserFields } from '../src/accounts/user-import.js';

export const DJANGO_HASH =
  'pbkdf2_sha256$1000$irDsrs3z09Sy3GcJr9q8dW$fyRctPiBXHAITQVXjkuyr0xNE2B0f7+ILbWopYTPa7g=';

const FIRST_NAMES = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'William',
  'Elizabeth',
  'David',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Charles',
  'Karen',
  'Christopher',
  'Nancy',
  'Daniel',
  'Lisa',
  'Matthew',
  'Betty',
  'Anthony',
  'Margaret',
  'Mark',
  'Sandra',
  'Donald',
  'Ashley',
  'Steven',
  'Kimberly',
  'Paul',
  'Emily',
  'Andrew',
  'Donna',
  'Joshua',
  'Michelle',
  'Kenneth',
  'Dorothy',
  'Kevin',
  'Carol',
  'Brian',
  'Amanda',
  'George',
  'Melissa',
  'Edward',
  'Deborah',
  'Ronald',
  'Stephanie',
  'Timothy',
  'Rebecca',
  'Jason',
  'Sharon',
  'Jeffrey',
  'Laura',
  'Ryan',
  'Cynthia',
  'Jacob',
  'Kathleen',
  'Gary',
  'Amy',
  'Nicholas',
  'Shirley',
  'Eric',
  'Angela',
  'Jonathan',
  'Helen',
  'Stephen',
  'Anna',
  'Larry',
  'Brenda',
  'Justin',
  'Pamela',
  'Scott',
  'Nicole',
  'Brandon',
  'Emma',
  'Benjamin',
  'Samantha',
  'Samuel',
  'Katherine',
  'Gregory',
  'Christine',
  'Frank',
  'Debra',
  'Alexander',
  'Rachel',
  'Raymond',
  'Catherine',
  'Patrick',
  'Carolyn',
  'Jack',
  'Janet',
  'Dennis',
  'Ruth',
  'Jerry',
  'Maria',
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Hedy',
  'Katherine',
  'Margaret',
  'Chloé',
  'Zoë',
  'Renée',
  'José',
  'Jürgen',
  'Søren',
  'Łukasz',
  'Ngozi',
  'Aiko',
  'Mateo',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Gomez',
  'Phillips',
  'Evans',
  'Turner',
  'Diaz',
  'Parker',
  'Cruz',
  'Edwards',
  'Collins',
  'Reyes',
  'Stewart',
  'Morris',
  'Morales',
  'Murphy',
  'Cook',
  'Rogers',
  'Gutierrez',
  'Ortiz',
  'Morgan',
  'Cooper',
  'Peterson',
  'Bailey',
  'Reed',
  'Kelly',
  'Howard',
  'Ramos',
  'Kim',
  'Cox',
  'Ward',
  'Richardson',
  'Watson',
  'Brooks',
  'Chavez',
  'Wood',
  'James',
  'Bennett',
  'Gray',
  'Mendoza',
  'Ruiz',
  'Hughes',
  'Price',
  'Alvarez',
  'Castillo',
  'Sanders',
  'Patel',
  'Myers',
  'Long',
  'Ross',
  'Foster',
  'Jimenez',
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Lamarr',
  'Johnson',
  'Hamilton',
  'Müller',
  'Schröder',
  'Dubois',
  'Lefèvre',
  'Kowalski',
  'Nowak',
  'Okafor',
  'Tanaka',
  'Rossi',
  'Silva',
];
/** Last names given to every 25,000th user only. */
export const RARE_NAMES = ['Quetzalcoatl', 'Zyzzyva', 'Wojciechowicz', 'Xochiquetzal'] as const;
const DOMAINS = [
  'example.com',
  'example.org',
  'mail.test',
  'corp.example',
  'inbox.example',
  'post.example',
  'uni.example.edu',
  'shop.example',
  'bank.example',
  'health.example',
  'city.example.gov',
  'news.example',
];

/** Deterministic: the same users on every run (a 32-bit xorshift). */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** Skewed towards the first items: the first tenth is picked about a third of the time. */
function skewed<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(items.length * random() ** 2)] as T;
}

const ascii = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace('ł', 'l')
    .replace('ø', 'o');

export const CREATED_FROM = Date.UTC(2022, 0, 1);
export const CREATED_SPAN_MS = 3 * 365 * 24 * 3600 * 1000;

/** `count` users to import, one at a time (a million never sit in memory at once). */
export function* generateUsers(count: number): Generator<ImportUserFields> {
  const random = generator(20_240_601);
  const step = CREATED_SPAN_MS / Math.max(1, count);
  for (let n = 0; n < count; n++) {
    const first = skewed(FIRST_NAMES, random);
    const last =
      n % 25_000 === 12_345
        ? (RARE_NAMES[((n / 25_000) % RARE_NAMES.length) | 0] as string)
        : skewed(LAST_NAMES, random);
    const createdAt = new Date(CREATED_FROM + Math.floor(n * step));
    const signedIn = random() < 0.6;
    yield {
      line: n + 1,
      email: `${ascii(first)}.${ascii(last)}${n}@${skewed(DOMAINS, random)}`,
      username: random() < 0.6 ? `${ascii(first)}${n}` : null,
      firstName: first,
      lastName: last,
      isActive: random() >= 0.1,
      isStaff: n % 1000 === 7,
      isSuperuser: n % 10_000 === 7,
      emailVerified: random() < 0.7,
      passwordHash: DJANGO_HASH,
      createdAt,
      lastLoginAt: signedIn
        ? new Date(
            createdAt.getTime() +
              Math.floor(random() * (CREATED_FROM + CREATED_SPAN_MS - createdAt.getTime())),
          )
        : null,
    };
  }
}

/** A measured query: a label and the query strings it cycles through (several distinct terms). */
export interface UserQuery {
  name: string;
  what: string;
  queries: string[];
}

/** The queries of the benchmark; `deep` is filled in by the parent (it needs a cursor from the data). */
export function userQueries(deep: { created: string; emailDesc: string }, users: number): UserQuery[] {
  return [
    { name: 'first page', what: 'no search, created asc, 50 users', queries: [''] },
    {
      name: 'prefix search',
      what: '1–2 characters (match=prefix by default)',
      queries: ['q=a', 'q=jo', 'q=mi', 'q=sa', 'q=k', 'q=ro'].map((q) => `${q}`),
    },
    {
      name: 'contains, few matches',
      what: `≥ 3 characters matching 10–20 users (${RARE_NAMES.map((n) => n.slice(1, 7).toLowerCase()).join(', ')})`,
      queries: RARE_NAMES.map((name) => `q=${encodeURIComponent(name.slice(1, 7).toLowerCase())}`),
    },
    {
      name: 'contains, many matches',
      what: '≥ 3 characters matching 2–90 % of users (son, mar, ric, lee, example)',
      queries: ['q=son', 'q=mar', 'q=ric', 'q=lee', 'q=example'],
    },
    {
      name: 'contains, mid matches',
      what: 'matching 0.1–0.5 % of users (lovel, hopper, dijkst, lamarr)',
      queries: ['q=lovel', 'q=hopper', 'q=dijkst', 'q=lamarr'],
    },
    {
      name: 'filtered + sorted, common',
      what: 'active & verified, by email desc',
      queries: [
        'active=true&verified=true&sort=email&order=desc',
        'active=true&staff=false&sort=lastLogin&order=desc',
      ],
    },
    {
      name: 'filtered + sorted, rare',
      what: 'staff (0.1 %) by last sign-in desc; superusers; inactive by email',
      queries: ['staff=true&sort=lastLogin&order=desc', 'superuser=true', 'active=false&sort=email'],
    },
    {
      name: 'search + filter + sort',
      what: 'contains "son" & verified, by email; prefix "ma" & inactive, by last sign-in desc',
      queries: ['q=son&verified=true&sort=email', 'q=ma&active=false&sort=lastLogin&order=desc'],
    },
    {
      name: 'deep page',
      what: `cursor after ${(users / 2).toLocaleString('en')} users: created asc; email desc`,
      queries: [`cursor=${deep.created}`, `sort=email&order=desc&cursor=${deep.emailDesc}`],
    },
  ];
}
