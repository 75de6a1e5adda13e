package awsec2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// instance is one EC2 instance with its region and reservation.
type instance struct {
	types.Instance
	region                            string
	ownerID, requesterID, reservation string
	events                            []types.InstanceStatusEvent
	hasStatus                         bool
}

// awsConfig is the SDK configuration the options ask for: the default
// chain, a profile or static keys on top, iam_role_arn through STS.
func awsConfig(ctx context.Context, o *options) (aws.Config, error) {
	var fns []func(*config.LoadOptions) error
	if o.profile != "" {
		fns = append(fns, config.WithSharedConfigProfile(o.profile))
	}
	if o.accessKey != "" || o.secretKey != "" {
		if o.accessKey == "" || o.secretKey == "" {
			return aws.Config{}, errors.New("access_key and secret_key go together")
		}
		fns = append(fns, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.accessKey, o.secretKey, o.sessionToken)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, fns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // where the region list is asked for
	}
	if o.iamRoleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(so *sts.Options) {
			if o.endpoint != "" {
				so.BaseEndpoint = aws.String(o.endpoint)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, o.iamRoleARN, func(ao *stscreds.AssumeRoleOptions) {
			ao.RoleSessionName = "drover_aws_ec2_inventory"
		}))
	}
	return cfg, nil
}

func (o *options) client(cfg aws.Config, region string) *ec2.Client {
	return ec2.NewFromConfig(cfg, func(eo *ec2.Options) {
		eo.Region = region
		if o.endpoint != "" {
			eo.BaseEndpoint = aws.String(o.endpoint)
		}
	})
}

// instances lists the instances of every region the options name (every
// region EC2 lists when none): the union of filters and include_filters,
// minus exclude_filters, sorted by instance id.
func instances(ctx context.Context, o *options) ([]*instance, error) {
	cfg, err := awsConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	regions := o.regions
	if len(regions) == 0 {
		out, err := o.client(cfg, cfg.Region).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		if err != nil {
			return nil, fmt.Errorf("listing the regions (give regions to skip it): %w", err)
		}
		for _, r := range out.Regions {
			regions = append(regions, aws.ToString(r.RegionName))
		}
	}
	var all []*instance
	for _, region := range regions {
		c := o.client(cfg, region)
		byID := map[string]*instance{}
		for _, f := range o.filters {
			found, err := describe(ctx, c, region, f)
			if err != nil {
				if !o.strictPermissions && forbidden(err) {
					continue
				}
				return nil, fmt.Errorf("describing the instances of %s: %w", region, err)
			}
			for _, in := range found {
				byID[aws.ToString(in.InstanceId)] = in
			}
		}
		for _, f := range o.exclude {
			found, err := describe(ctx, c, region, f)
			if err != nil {
				return nil, fmt.Errorf("describing the instances of %s (exclude_filters): %w", region, err)
			}
			for _, in := range found {
				delete(byID, aws.ToString(in.InstanceId))
			}
		}
		var list []*instance
		for _, in := range byID {
			list = append(list, in)
		}
		if o.extraAPICalls && len(list) > 0 {
			if err := events(ctx, c, list); err != nil && (o.strictPermissions || !forbidden(err)) {
				return nil, fmt.Errorf("describing the instance status of %s: %w", region, err)
			}
		}
		all = append(all, list...)
	}
	sort.Slice(all, func(i, j int) bool { return aws.ToString(all[i].InstanceId) < aws.ToString(all[j].InstanceId) })
	return all, nil
}

// describe runs DescribeInstances with filters (by default only instances
// that are not terminated, as the plugin does) over every page.
func describe(ctx context.Context, c *ec2.Client, region string, f filterSet) ([]*instance, error) {
	var fl []types.Filter
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fl = append(fl, types.Filter{Name: aws.String(k), Values: f[k]})
	}
	if _, ok := f["instance-state-name"]; !ok {
		fl = append(fl, types.Filter{Name: aws.String("instance-state-name"), Values: []string{"running", "pending", "stopping", "stopped"}})
	}
	var out []*instance
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{Filters: fl})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				out = append(out, &instance{Instance: in, region: region, ownerID: aws.ToString(r.OwnerId),
					requesterID: aws.ToString(r.RequesterId), reservation: aws.ToString(r.ReservationId)})
			}
		}
	}
	return out, nil
}

// events reads the scheduled events of the instances (DescribeInstanceStatus,
// 100 instances a call).
func events(ctx context.Context, c *ec2.Client, list []*instance) error {
	byID := map[string]*instance{}
	var ids []string
	for _, in := range list {
		byID[aws.ToString(in.InstanceId)] = in
		ids = append(ids, aws.ToString(in.InstanceId))
	}
	sort.Strings(ids)
	for start := 0; start < len(ids); start += 100 {
		p := ec2.NewDescribeInstanceStatusPaginator(c, &ec2.DescribeInstanceStatusInput{
			InstanceIds: ids[start:min(start+100, len(ids))], IncludeAllInstances: aws.Bool(true)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, s := range page.InstanceStatuses {
				if in := byID[aws.ToString(s.InstanceId)]; in != nil {
					in.events, in.hasStatus = s.Events, true
				}
			}
		}
	}
	return nil
}

// forbidden reports an HTTP 403 from AWS.
func forbidden(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "UnauthorizedOperation" || ae.ErrorCode() == "AccessDenied")
}
