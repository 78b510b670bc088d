import {
  APPS,
  type ArmOperation,
  type AzureCaller,
  type AzureRecord,
  armOperation,
  auditRecord,
  type SignIn,
  signInRecord,
} from './azure.js';
import { HOUR, MINUTE, PERIOD_DAYS, PERIOD_START } from './period.js';
import {
  AZURE_SUBSCRIPTIONS,
  type AzureSubKey,
  daysOffFor,
  HUMANS,
  type Human,
  human,
  humanRhythm,
  ipFor,
} from './principals.js';
import { Rng } from './prng.js';

/** Everyday Azure and Entra ID activity: sign-ins for everyone, ARM changes by engineers and automation. */
export function generateAzureActivity(root: Rng, days: readonly number[]): AzureRecord[] {
  const out: AzureRecord[] = [];
  for (const h of HUMANS) out.push(...humanActivity(root.fork(`azure/human/${h.slug}`), h, days));
  for (const day of days) {
    const rng = root.fork(`azure/machines/${day}`);
    out.push(...deployer(rng.fork('deployer'), day));
    out.push(...backupIdentity(rng.fork('backup'), day));
    out.push(...directoryChores(rng.fork('directory'), day));
  }
  return out;
}

const GEO: Record<string, { state: string; lat: number; lon: number }> = {
  London: { state: 'England', lat: 51.5072, lon: -0.1276 },
  Berlin: { state: 'Berlin', lat: 52.52, lon: 13.405 },
  'New York': { state: 'New York', lat: 40.7128, lon: -74.006 },
  'San Francisco': { state: 'California', lat: 37.7749, lon: -122.4194 },
  Bengaluru: { state: 'Karnataka', lat: 12.9716, lon: 77.5946 },
  Tokyo: { state: 'Tokyo', lat: 35.6762, lon: 139.6503 },
  Madrid: { state: 'Madrid', lat: 40.4168, lon: -3.7038 },
  Paris: { state: 'Ile-De-France', lat: 48.8566, lon: 2.3522 },
  Chicago: { state: 'Illinois', lat: 41.8781, lon: -87.6298 },
  Prague: { state: 'Hlavni Mesto Praha', lat: 50.0755, lon: 14.4378 },
};

export function homeLocation(h: Human): SignIn['location'] {
  const g = GEO[h.city] ?? { state: '', lat: 0, lon: 0 };
  return { city: h.city, state: g.state, country: h.country, lat: g.lat, lon: g.lon };
}

function humanActivity(rng: Rng, h: Human, days: readonly number[]): AzureRecord[] {
  const out: AzureRecord[] = [];
  const off = daysOffFor(h, rng.fork('days-off'), PERIOD_START, PERIOD_DAYS);
  for (const day of days) {
    const dayRng = rng.fork(String(day));
    let signedIn = false;
    for (let hour = 0; hour < 24; hour++) {
      const t0 = day + hour * HOUR;
      const w = humanRhythm(h, t0, off);
      // Interactive sign-ins: the first of the day, and the odd re-prompt.
      const chance = signedIn ? 0.01 * w : Math.min(1, 1.2 * w);
      if (dayRng.chance(chance)) {
        signedIn = true;
        const t = t0 + dayRng.int(0, 59 * MINUTE);
        const ip = ipFor(h, t, dayRng);
        const app = dayRng.weighted<{ id: string; name: string }>([
          [APPS.office, 4],
          [APPS.teams, 3],
          [APPS.outlook, 2],
          ...(h.azure
            ? ([
                [APPS.portal, 3],
                [APPS.cli, 1],
              ] as const)
            : []),
          ...(h.aws && !h.aws.iamUser ? ([[APPS.awsSso, 2]] as const) : []),
          ...(h.gcp ? ([[APPS.gcp, 2]] as const) : []),
        ]);
        // Now and then: a mistyped password first, or an MFA prompt interrupt.
        if (dayRng.chance(0.04)) {
          out.push(
            signInRecord(dayRng, t - dayRng.int(20, 90) * 1000, {
              human: h,
              ip,
              app,
              errorCode: 50126,
              mfa: false,
              location: homeLocation(h),
            }),
          );
        } else if (dayRng.chance(0.05)) {
          out.push(
            signInRecord(dayRng, t - dayRng.int(5, 30) * 1000, {
              human: h,
              ip,
              app,
              errorCode: dayRng.pick([50074, 50140]),
              mfa: false,
              location: homeLocation(h),
            }),
          );
        }
        out.push(
          signInRecord(dayRng, t, { human: h, ip, app, errorCode: 0, mfa: true, location: homeLocation(h) }),
        );
      }
      const subs = h.azure?.subscriptions;
      if (subs && subs.length > 0) {
        const ops = dayRng.poisson(0.06 * h.pace * w);
        for (let i = 0; i < ops; i++) {
          const t = t0 + dayRng.int(0, 59 * MINUTE);
          const sub = dayRng.pick(subs);
          const caller: AzureCaller = {
            kind: 'user',
            human: h,
            ip: ipFor(h, t, dayRng),
            app: dayRng.chance(0.6) ? APPS.portal : APPS.cli,
          };
          out.push(...armOperation(dayRng, t, caller, humanOperation(dayRng, h, sub)));
        }
      }
    }
  }
  return out;
}

const RESOURCE_GROUPS: Record<AzureSubKey, string[]> = {
  prod: ['rg-storefront-prod', 'rg-payments-prod', 'rg-network-prod'],
  shared: ['rg-shared-tools', 'rg-identity', 'rg-monitoring'],
};

function humanOperation(rng: Rng, h: Human, sub: AzureSubKey): ArmOperation {
  const rg = rng.pick(RESOURCE_GROUPS[sub]);
  const role = h.duty === 'admin' || h.duty === 'it' ? 'Owner' : 'Contributor';
  const vm = `vm-${rg.replace('rg-', '').replace(/-prod|-tools/, '')}-${rng.int(1, 3)}`;
  return rng.weighted<ArmOperation>([
    [
      {
        subscription: sub,
        resource: `resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vm}`,
        operation: rng.pick([
          'Microsoft.Compute/virtualMachines/start/action',
          'Microsoft.Compute/virtualMachines/restart/action',
          'Microsoft.Compute/virtualMachines/deallocate/action',
        ]),
        role,
        statusCode: 'Accepted',
      },
      3,
    ],
    [
      {
        subscription: sub,
        resource: `resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/st${rg.replace(/[^a-z]/g, '').slice(0, 14)}`,
        operation: 'Microsoft.Storage/storageAccounts/listKeys/action',
        role,
        singleRecord: true,
      },
      3,
    ],
    [
      {
        subscription: sub,
        resource: `resourceGroups/${rg}/providers/Microsoft.Web/sites/app-${rg.split('-')[1]}/config/appsettings`,
        operation: 'Microsoft.Web/sites/config/write',
        role,
        statusCode: 'OK',
      },
      2,
    ],
    [
      {
        subscription: sub,
        resource: `resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-${rg.split('-')[1]}/securityRules/allow-https-in`,
        operation: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
        role,
        requestBody: {
          properties: {
            protocol: 'Tcp',
            sourceAddressPrefix: 'AzureFrontDoor.Backend',
            destinationPortRange: '443',
            access: 'Allow',
            priority: 200,
            direction: 'Inbound',
          },
        },
      },
      0.6,
    ],
    [
      {
        subscription: sub,
        resource: `resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/kv-${rg.split('-')[1]}-${sub}`,
        operation: 'Microsoft.KeyVault/vaults/write',
        role,
        statusCode: 'OK',
      },
      0.6,
    ],
    [
      {
        subscription: sub,
        resource: `resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/aks-${sub}`,
        operation: 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
        role,
        singleRecord: true,
      },
      2,
    ],
    [
      {
        subscription: sub,
        resource: `resourceGroups/${rg}`,
        operation: 'Microsoft.Resources/tags/write',
        role,
        statusCode: 'OK',
      },
      0.5,
    ],
  ]);
}

const DEPLOYER = {
  name: 'github-deployer',
  appId: '5e2c8a1f-7d3b-4c9e-a0f6-2b4d6e8a1c3f',
  objectId: '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f',
};

function deployer(rng: Rng, day: number): AzureRecord[] {
  const out: AzureRecord[] = [];
  const weekday = new Date(day).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  for (let hour = 0; hour < 24; hour++) {
    const jobs = rng.poisson((hour >= 8 && hour < 21 ? 0.06 : 0.005) * (weekend ? 0.1 : 1));
    for (let j = 0; j < jobs; j++) {
      let t = day + hour * HOUR + rng.int(0, 55 * MINUTE);
      const sub: AzureSubKey = rng.chance(0.6) ? 'prod' : 'shared';
      const rg = rng.pick(RESOURCE_GROUPS[sub]);
      const caller: AzureCaller = {
        kind: 'app',
        name: DEPLOYER.name,
        appId: DEPLOYER.appId,
        objectId: DEPLOYER.objectId,
        ip: `198.51.100.${rng.int(220, 240)}`,
      };
      const deployment = `deploy-${rng.hex(8)}`;
      const ops: ArmOperation[] = [
        {
          subscription: sub,
          resource: `resourceGroups/${rg}/providers/Microsoft.Resources/deployments/${deployment}`,
          operation: 'Microsoft.Resources/deployments/validate/action',
          role: 'Contributor',
          singleRecord: true,
        },
        {
          subscription: sub,
          resource: `resourceGroups/${rg}/providers/Microsoft.Resources/deployments/${deployment}`,
          operation: 'Microsoft.Resources/deployments/write',
          role: 'Contributor',
        },
        {
          subscription: sub,
          resource: `resourceGroups/${rg}/providers/Microsoft.Web/sites/app-${rg.split('-')[1]}`,
          operation: 'Microsoft.Web/sites/write',
          role: 'Contributor',
          statusCode: 'OK',
        },
      ];
      for (const op of ops) {
        out.push(...armOperation(rng, t, caller, op));
        t += rng.int(5, 60) * 1000;
      }
    }
  }
  return out;
}

function backupIdentity(rng: Rng, day: number): AzureRecord[] {
  const mi = `/subscriptions/${AZURE_SUBSCRIPTIONS.prod.id}/resourcegroups/rg-shared-tools/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-backup`;
  const caller: AzureCaller = {
    kind: 'app',
    name: 'id-backup',
    appId: '7b9d1f3a-5c7e-4a9b-8d1f-3a5c7e9b1d3f',
    objectId: '2d4f6a8c-0e1b-4d3f-a5c7-9e1b3d5f7a9c',
    ip: '',
    managedIdentity: mi,
  };
  const out: AzureRecord[] = [];
  for (const rg of RESOURCE_GROUPS.prod) {
    const t = day + 2 * HOUR + rng.int(0, 40 * MINUTE);
    out.push(
      ...armOperation(rng, t, caller, {
        subscription: 'prod',
        resource: `resourceGroups/${rg}/providers/Microsoft.Compute/snapshots/snap-${rg.replace('rg-', '')}-${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`,
        operation: 'Microsoft.Compute/snapshots/write',
        role: 'Contributor',
        location: 'westeurope',
      }),
    );
  }
  return out;
}

/** Routine Entra changes: group memberships, app credentials rotated by automation, profile updates. */
function directoryChores(rng: Rng, day: number): AzureRecord[] {
  const out: AzureRecord[] = [];
  const weekday = new Date(day).getUTCDay();
  if (weekday === 0 || weekday === 6) return out;
  const kwame = human('kwame.mensah');
  for (let i = 0; i < rng.poisson(3); i++) {
    const t = day + (9 + rng.int(0, 7)) * HOUR + rng.int(0, 59 * MINUTE);
    const target = rng.pick(HUMANS);
    const group = rng.pick(['engineering', 'gke-developers', 'data-team', 'vpn-users', 'aws-developers']);
    out.push(
      auditRecord(rng, t, {
        activity: rng.chance(0.7) ? 'Add member to group' : 'Update user',
        category: 'GroupManagement',
        operationType: 'Add',
        by: { human: kwame, ip: kwame.office },
        targets: [
          {
            id: target.objectId,
            displayName: null,
            type: 'User',
            userPrincipalName: `${target.slug}@acme.example`,
          },
          {
            id: new Rng(`entra-group/${group}`).uuid(),
            displayName: group,
            type: 'Group',
            modifiedProperties: [
              { displayName: 'Group.DisplayName', oldValue: null, newValue: `"${group}"` },
            ],
          },
        ],
      }),
    );
  }
  if (rng.chance(0.5)) {
    const t = day + rng.int(0, 23) * HOUR + rng.int(0, 59 * MINUTE);
    out.push(
      auditRecord(rng, t, {
        activity: 'Update application – Certificates and secrets management ',
        category: 'ApplicationManagement',
        operationType: 'Update',
        by: {
          app: 'secret-rotator',
          appId: '3c5e7a9b-1d3f-4a5c-8e7b-9d1f3a5c7e9b',
          servicePrincipalId: '4d6f8a0c-2e4a-4c6e-9a8c-0e2a4c6e8a0c',
        },
        targets: [
          {
            id: DEPLOYER.objectId,
            displayName: DEPLOYER.name,
            type: 'Application',
            modifiedProperties: [
              {
                displayName: 'KeyDescription',
                oldValue: '[]',
                newValue: `["[KeyIdentifier=${rng.uuid()},KeyType=Password,KeyUsage=Verify,DisplayName=rotated-${new Date(t).toISOString().slice(0, 10)}]"]`,
              },
            ],
          },
        ],
      }),
    );
  }
  return out;
}
