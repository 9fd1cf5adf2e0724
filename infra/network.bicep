// The optional closed network (main.bicep's vnetEnabled): the app's outbound traffic leaves from a
// subnet delegated to Flex Consumption, and reaches the storage account's blob and queue services
// through private endpoints whose names resolve, inside the network only, to private addresses.
param location string
param tags { *: string }
param resourceToken string

@description('The storage account the private endpoints lead to.')
param storageAccountId string

// The two storage services the app and the host use; the account has no table or file use.
var storageServices = [
  'blob'
  'queue'
]

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' = {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.0.0.0/16'
      ]
    }
  }

  // Flex Consumption joins a subnet delegated to Microsoft.App/environments (not Microsoft.Web/
  // serverFarms as the other plans do); a /24 leaves room for the plan's instances.
  resource appSubnet 'subnets' = {
    name: 'app'
    properties: {
      addressPrefix: '10.0.1.0/24'
      delegations: [
        {
          name: 'flex-consumption'
          properties: {
            serviceName: 'Microsoft.App/environments'
          }
        }
      ]
    }
  }

  resource endpointSubnet 'subnets' = {
    name: 'private-endpoints'
    properties: {
      addressPrefix: '10.0.2.0/24'
      privateEndpointNetworkPolicies: 'Disabled'
    }
    dependsOn: [
      // Subnets of one network are changed one at a time.
      appSubnet
    ]
  }
}

// privatelink.blob.core.windows.net and privatelink.queue.core.windows.net in the public cloud.
resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for service in storageServices: {
  name: 'privatelink.${service}.${environment().suffixes.storage}'
  location: 'global'
  tags: tags
}]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (service, i) in storageServices: {
  parent: zones[i]
  name: 'link-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}]

resource endpoints 'Microsoft.Network/privateEndpoints@2025-05-01' = [for service in storageServices: {
  name: 'pe-${service}-${resourceToken}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: vnet::endpointSubnet.id
    }
    privateLinkServiceConnections: [
      {
        name: service
        properties: {
          privateLinkServiceId: storageAccountId
          groupIds: [
            service
          ]
        }
      }
    ]
  }
}]

// The endpoint's address is written into its zone, so <account>.<service>.core.windows.net
// resolves to it from inside the network.
resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = [for (service, i) in storageServices: {
  parent: endpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: service
        properties: {
          privateDnsZoneId: zones[i].id
        }
      }
    ]
  }
}]

output appSubnetId string = vnet::appSubnet.id
