// The resources of one environment, in its resource group; main.bicep explains the parameters.
param location string
param tags { *: string }

@description('uniqueString() of the subscription, environment and location: makes the names unique.')
@minLength(13)
@maxLength(13)
param resourceToken string

param principalId string
param principalType string
param instanceMemoryMB int
param maximumInstanceCount int
param alwaysReadyHttpInstances int
param alwaysReadyQueueInstances int
param expireBlobsAfterDays int
param workItemsQueueName string
param deadLetterQueueName string
param deadLetterContainerName string
param maxMessageBytes int
param reportsContainerName string
param outboxQueueName string
param sentKeysContainerName string
param replayTimeBudgetSeconds int
param replayParallelism int

// The queue function's name in FunctionsApp/Functions/ProcessWorkItemFunction.cs: Flex Consumption
// scales each non-HTTP function on its own, and keeps instances ready per function.
var queueFunctionName = 'ProcessWorkItem'

// The blob container the platform deploys the app's package from.
var deploymentContainerName = 'app-package'

// The poison queue is the dead-letter queue by default; the set keeps one of each name.
var queueNames = union([workItemsQueueName, deadLetterQueueName, outboxQueueName], [])
var containerNames = union([reportsContainerName, deadLetterContainerName, sentKeysContainerName, deploymentContainerName], [])

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// The app's identity: created before the app, so its roles are in place when the app first starts.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // No keys and no SAS signed with them: every caller signs in with Microsoft Entra ID, so a
    // leaked connection string cannot exist.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    // No anonymous reads of any container, whatever a container's own setting says.
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource containers 'containers' = [for name in containerNames: {
      name: name
      properties: {
        publicAccess: 'None'
      }
    }]
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource queues 'queues' = [for name in queueNames: {
      name: name
    }]
  }

  // The README used to leave this to the user: idempotency keys and large dead-lettered bodies
  // are only needed for a while, and would otherwise grow for ever.
  resource lifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'expire-notification-keys-and-dead-letters'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${sentKeysContainerName}/'
                  '${deadLetterContainerName}/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: expireBlobsAfterDays
                  }
                }
              }
            }
          }
        ]
      }
    }
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only with an Entra token (the app's identity, see below), not with
    // the instrumentation key alone that the connection string carries.
    DisableLocalAuth: true
  }
}

// A dead letter is a message that will not succeed without a person, so any one is worth an
// alert (the README's Monitoring section). The metric name is the app's (AppMetrics.Names).
resource deadLetterAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-dead-letters-${resourceToken}'
  location: location
  tags: tags
  properties: {
    displayName: 'FunctionsApp: messages dead-lettered'
    description: 'Messages were parked in the dead-letter queue in the last 15 minutes (metric functionsapp.messages.dead_lettered, by reason). Read them, fix the cause, then replay.'
    severity: 2
    enabled: true
    scopes: [
      insights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "functionsapp.messages.dead_lettered"'
          timeAggregation: 'Total'
          metricMeasureColumn: 'valueSum'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-${resourceToken}'
  location: location
  // azd finds the app to deploy service "app" (azure.yaml) by this tag.
  tags: union(tags, {
    'azd-service-name': 'app'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        // AzureWebJobsStorage, identity-based: the host, the queue trigger and the app's own
        // clients (FunctionsApp/Storage/StorageConnection.cs) all read these.
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identity.properties.clientId
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: insights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
        }
        {
          name: 'WorkItemsQueueName'
          value: workItemsQueueName
        }
        {
          name: 'Dispatch__DeadLetterQueueName'
          value: deadLetterQueueName
        }
        {
          name: 'Dispatch__DeadLetterContainerName'
          value: deadLetterContainerName
        }
        {
          name: 'Dispatch__MaxMessageBytes'
          value: string(maxMessageBytes)
        }
        {
          name: 'Reports__ContainerName'
          value: reportsContainerName
        }
        {
          name: 'Notifications__OutboxQueueName'
          value: outboxQueueName
        }
        {
          name: 'Notifications__SentKeysContainerName'
          value: sentKeysContainerName
        }
        {
          name: 'Replay__TimeBudgetSeconds'
          value: string(replayTimeBudgetSeconds)
        }
        {
          name: 'Replay__Parallelism'
          value: string(replayParallelism)
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: concat(
          alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : [],
          alwaysReadyQueueInstances > 0 ? [{ name: 'function:${queueFunctionName}', instanceCount: alwaysReadyQueueInstances }] : []
        )
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
  dependsOn: [
    // The first start reads storage as the identity: its roles first.
    identityBlobOwner
    identityQueueContributor
  ]
}

// Deployments sign in with Entra ID (azd, Core Tools); no publishing user names and passwords.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// The Functions host keeps its locks and keys in blobs and needs to own them (Storage Blob Data
// Owner is what the docs ask for AzureWebJobsStorage); the app's reports, keys and dead letters
// are blobs in the same account.
resource identityBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Reading and deleting work items (the trigger), creating the poison queue and moving failed
// messages to it (the host), writing the outbox and replaying dead letters (the app): the
// contributor role covers them all; the reader and processor roles alone could not create a queue.
resource identityQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry with local authentication off is accepted only from a principal with this role.
resource identityMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The person (or pipeline) running azd can enqueue work items and read what the app wrote; not
// own the blobs, which only the host needs.
resource userBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(storage.id, principalId, roles.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: principalType
  }
}

resource userQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(storage.id, principalId, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: principalId
    principalType: principalType
  }
}

output functionAppName string = functionApp.name
output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
